//! The trade-off chart: coverage and cost against fleet size, as SVG.

use super::CurvePoint;
use crate::domain::Zone;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG line chart: demand served per zone (left axis, %) and daily cost
/// (right axis) for each fleet size.
pub(crate) fn tradeoff_svg(curve: &[CurvePoint]) -> String {
    let (w, h, ml, mr, mt, mb) = (720.0, 420.0, 60.0, 80.0, 40.0, 50.0);
    let pw = w - ml - mr;
    let ph = h - mt - mb;
    let max_v = curve.iter().map(|p| p.vehicles).max().unwrap_or(1).max(1) as f64;
    let max_c = curve.iter().map(|p| p.daily_cost).fold(1.0, f64::max);
    let x = |v: usize| ml + pw * (v as f64) / max_v;
    let y_share = |s: f64| mt + ph * (1.0 - s);
    let y_cost = |c: f64| mt + ph * (1.0 - c / max_c);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">Coverage and daily cost by fleet size</text>\n",
        w / 2.0
    );
    // Axes and grid.
    for k in 0..=4 {
        let s = k as f64 / 4.0;
        out.push_str(&format!(
            "<line x1=\"{ml}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>\
             <text x=\"{}\" y=\"{:.1}\">{:.0}</text>\n",
            ml + pw,
            ml - 6.0,
            y_share(s) + 4.0,
            s * 100.0,
            ml + pw + 6.0,
            y_share(s) + 4.0,
            s * max_c,
            y = y_share(s)
        ));
    }
    for p in curve {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            x(p.vehicles),
            h - mb + 18.0,
            p.vehicles
        ));
    }
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">vehicles</text>\n<text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">demand served</text>\n<text x=\"{}\" y=\"{}\" transform=\"rotate(90 {} {})\" text-anchor=\"middle\">daily cost</text>\n",
        ml + pw / 2.0,
        h - 12.0,
        mt + ph / 2.0,
        mt + ph / 2.0,
        w - 16.0,
        mt + ph / 2.0,
        w - 16.0,
        mt + ph / 2.0
    ));
    let line = |pts: Vec<(f64, f64)>, color: &str, label: &str, ly: f64| {
        let d: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
        let mut s = format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
            d.join(" ")
        );
        for (a, b) in &pts {
            s.push_str(&format!(
                "<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"3\" fill=\"{color}\"/>\n"
            ));
        }
        s.push_str(&format!(
            "<line x1=\"{}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
            ml + 10.0,
            ml + 30.0,
            ml + 36.0,
            ly + 4.0,
            esc(label)
        ));
        s
    };
    let zone_line = |z: Zone| {
        curve
            .iter()
            .map(|p| {
                (
                    x(p.vehicles),
                    y_share(p.demand_served.get(&z).copied().unwrap_or(1.0)),
                )
            })
            .collect()
    };
    out.push_str(&line(
        zone_line(Zone::Urban),
        "#1f77b4",
        "urban demand served",
        mt + 12.0,
    ));
    out.push_str(&line(
        zone_line(Zone::Rural),
        "#2ca02c",
        "rural demand served",
        mt + 28.0,
    ));
    out.push_str(&line(
        curve
            .iter()
            .map(|p| (x(p.vehicles), y_cost(p.daily_cost)))
            .collect(),
        "#d62728",
        "daily cost (right axis)",
        mt + 44.0,
    ));
    for p in curve.iter().filter(|p| p.targets_met) {
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#555\">targets met</text>\n",
            x(p.vehicles),
            mt + ph - 6.0
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn point(vehicles: usize, urban: f64, cost: f64, met: bool) -> CurvePoint {
        CurvePoint {
            vehicles,
            by_type: BTreeMap::new(),
            points_served: BTreeMap::new(),
            demand_served: [(Zone::Urban, urban), (Zone::Rural, 0.5)]
                .into_iter()
                .collect(),
            daily_cost: cost,
            targets_met: met,
        }
    }

    #[test]
    fn the_chart_has_a_line_per_zone_and_for_cost_with_a_point_per_size() {
        let svg = tradeoff_svg(&[point(1, 0.5, 100.0, false), point(2, 1.0, 200.0, true)]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert_eq!(svg.matches(">targets met</text>").count(), 1);
        for label in ["urban demand served", "rural demand served", "daily cost"] {
            assert!(svg.contains(label), "{label}");
        }
        // The cost axis tops out at the largest cost; 2 vehicles sit at the
        // right end of the plot (720 - 80).
        assert!(svg.contains(">200</text>"));
        assert!(svg.contains("points=\"350.0,"));
        assert!(svg.contains(" 640.0,"));
    }

    #[test]
    fn an_empty_curve_is_still_a_chart() {
        let svg = tradeoff_svg(&[]);
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<circle").count(), 0);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
