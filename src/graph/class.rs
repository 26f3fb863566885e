//! The road class of an edge: one byte per edge, as much of the OSM
//! `highway` class as the default side of a stop needs (issue 14).
//!
//! A pickup that does not say which side of the street it is served from
//! is served from the curb on primary roads and above and on dual
//! carriageways ([`RoadClass::curb_by_default`]), from either side
//! elsewhere. Dual carriageways (OSM wiki `Tag:dual_carriageway=yes`):
//!
//! - `dual_carriageway=yes` on the way, whatever its class; `no` says it is
//!   not one (a trunk in a region where trunks usually are);
//! - otherwise every `motorway` (the wiki: all motorways are dual
//!   carriageways, so the tag is not used on them), and a way of class
//!   `trunk`, `primary` or `secondary` tagged one-way (`oneway=yes|true|1|-1|reverse`)
//!   that is not a roundabout (`junction=roundabout|circular`) nor a
//!   `_link`: dual carriageways "are mapped with a separate way for each
//!   direction of travel, and the tag oneway=yes is added" (same page),
//!   and on roads of these classes a one-way way is mostly such a
//!   carriageway.
//!
//! The wiki also says that no automatic method reliably tells a one-way
//! street from one carriageway of a divided road. The rule errs without
//! harm on one-way ways: there a curb-side stop has one direction anyway
//! ([`crate::matrix::Approach::curb`] is `Either` on a one-way edge), so the
//! flag only changes what a stop reports; it changes the route on two-way
//! ways tagged `dual_carriageway=yes` (one way mapped for both directions
//! of a divided road), whose far side cannot be served across the median.

use crate::io::osm::tag;

/// The OSM road class of an edge (one byte): the rank of its `highway`
/// value among `motorway`, `trunk`, `primary`, `secondary`, `tertiary`
/// (anything else is minor), whether it is a `_link`, and whether the way
/// is (one carriageway of) a dual carriageway (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoadClass(u8);

const RANK: u8 = 0b0000_0111;
const LINK: u8 = 0b0000_1000;
const DUAL: u8 = 0b0001_0000;
/// Ranks: 0 minor (or unknown), 1 motorway, ..., 5 tertiary.
const RANKED: [&str; 5] = ["motorway", "trunk", "primary", "secondary", "tertiary"];

impl RoadClass {
    /// The class of an OSM way with `tags`.
    pub fn from_tags(tags: &[(String, String)]) -> RoadClass {
        let highway = tag(tags, "highway").unwrap_or("");
        let (base, link) = match highway.strip_suffix("_link") {
            Some(b) => (b, true),
            None => (highway, false),
        };
        let rank = RANKED
            .iter()
            .position(|&c| c == base)
            .map_or(0, |i| i as u8 + 1);
        let one_way = matches!(
            tag(tags, "oneway"),
            Some("yes" | "true" | "1" | "-1" | "reverse")
        );
        let roundabout = matches!(tag(tags, "junction"), Some("roundabout" | "circular"));
        let dual = match tag(tags, "dual_carriageway") {
            Some("yes") => true,
            Some("no") => false,
            _ => {
                (rank == 1 && !link) || ((2..=4).contains(&rank) && !link && one_way && !roundabout)
            }
        };
        RoadClass(rank | if link { LINK } else { 0 } | if dual { DUAL } else { 0 })
    }

    /// True for `motorway`, `trunk` and `primary` and their `_link`s.
    pub fn primary_or_above(self) -> bool {
        (1..=3).contains(&(self.0 & RANK))
    }

    /// True if the way is (one carriageway of) a dual carriageway.
    pub fn dual_carriageway(self) -> bool {
        self.0 & DUAL != 0
    }

    /// True if a pickup on this road without a `side` of its own is served
    /// from the curb: primary roads and above, and dual carriageways.
    pub fn curb_by_default(self) -> bool {
        self.primary_or_above() || self.dual_carriageway()
    }

    /// The byte stored in graph files.
    pub(crate) fn byte(self) -> u8 {
        self.0
    }

    /// The class stored as `b`, if `b` is one ([`RoadClass::byte`]).
    pub(crate) fn from_byte(b: u8) -> Option<RoadClass> {
        (b & !(RANK | LINK | DUAL) == 0 && b & RANK <= RANKED.len() as u8).then_some(RoadClass(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(t: &[(&str, &str)]) -> RoadClass {
        let tags: Vec<(String, String)> = t
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RoadClass::from_tags(&tags)
    }

    #[test]
    fn primary_roads_and_above_are_curb_side_by_default() {
        for h in [
            "motorway",
            "motorway_link",
            "trunk",
            "trunk_link",
            "primary",
            "primary_link",
        ] {
            let c = class(&[("highway", h)]);
            assert!(c.primary_or_above() && c.curb_by_default(), "{h}");
        }
        for h in [
            "secondary",
            "secondary_link",
            "tertiary",
            "residential",
            "service",
            "unclassified",
            "primaryx",
        ] {
            let c = class(&[("highway", h)]);
            assert!(!c.primary_or_above() && !c.curb_by_default(), "{h}");
        }
    }

    #[test]
    fn dual_carriageways_follow_the_tag_then_one_way_major_roads() {
        // The tag wins, on any class, both ways.
        assert!(
            class(&[("highway", "residential"), ("dual_carriageway", "yes")]).curb_by_default()
        );
        let c = class(&[
            ("highway", "secondary"),
            ("oneway", "yes"),
            ("dual_carriageway", "no"),
        ]);
        assert!(!c.dual_carriageway() && !c.curb_by_default());
        // Without it: motorways, and one-way trunk/primary/secondary ways.
        assert!(class(&[("highway", "motorway")]).dual_carriageway());
        assert!(class(&[("highway", "secondary"), ("oneway", "yes")]).curb_by_default());
        assert!(class(&[("highway", "secondary"), ("oneway", "-1")]).dual_carriageway());
        assert!(class(&[("highway", "trunk"), ("oneway", "1")]).dual_carriageway());
        // Not: two-way, roundabouts, links, minor one-way streets.
        assert!(!class(&[("highway", "secondary")]).dual_carriageway());
        assert!(!class(&[("highway", "secondary"), ("oneway", "no")]).curb_by_default());
        let roundabout = [
            ("highway", "secondary"),
            ("oneway", "yes"),
            ("junction", "roundabout"),
        ];
        assert!(!class(&roundabout).curb_by_default());
        let link = [("highway", "secondary_link"), ("oneway", "yes")];
        assert!(!class(&link).curb_by_default());
        assert!(!class(&[("highway", "tertiary"), ("oneway", "yes")]).curb_by_default());
        assert!(!class(&[("highway", "residential"), ("oneway", "yes")]).curb_by_default());
        // A primary road is curb-side by class, dual carriageway or not.
        assert!(class(&[("highway", "primary"), ("dual_carriageway", "no")]).curb_by_default());
    }

    #[test]
    fn the_stored_byte_round_trips_and_garbage_is_refused() {
        for t in [
            vec![("highway", "motorway_link")],
            vec![("highway", "tertiary")],
            vec![("highway", "track"), ("dual_carriageway", "yes")],
        ] {
            let c = class(&t);
            assert_eq!(RoadClass::from_byte(c.byte()), Some(c));
        }
        assert_eq!(RoadClass::from_byte(0x80), None);
        assert_eq!(RoadClass::from_byte(6), None);
    }
}
