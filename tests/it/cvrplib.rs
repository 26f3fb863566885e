//! CVRPLIB `.vrp`, `.sol` and `bks.csv`: every supported variant parses to
//! the values worked out by hand, and every kind of malformed input names
//! the right line and says what was expected.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use wasteroute::Error;
use wasteroute::io::cvrplib::{
    self, CvrpSolution, EdgeWeightFormat, Rounding, Weights, format_sol, parse_bks, parse_sol,
    parse_vrp, read_sol, read_vrp, write_sol,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cvrplib")
        .join(name)
}

/// `(line, field, message)` of an input error; fails the test otherwise.
fn input_error<T: std::fmt::Debug>(result: wasteroute::Result<T>) -> (usize, String, String) {
    match result {
        Err(Error::Input { location, message }) => (
            location.line.expect("input errors carry a line"),
            location.field.unwrap_or_default(),
            message,
        ),
        other => panic!("expected an input error, got {other:?}"),
    }
}

/// Asserts that parsing `text` fails at `line` in `field` with a message
/// containing `needle`.
#[track_caller]
fn assert_vrp_error(text: &str, line: usize, field: &str, needle: &str) {
    let (l, f, m) = input_error(parse_vrp(text, "bad.vrp"));
    assert_eq!((l, f.as_str()), (line, field), "message: {m}");
    assert!(m.contains(needle), "message {m:?} lacks {needle:?}");
}

/// A valid EUC_2D instance; the comments give the line numbers the
/// malformed variants below refer to.
const TINY: &str = "\
NAME : tiny
TYPE : CVRP
DIMENSION : 4
CAPACITY : 10
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 6 8
4 0 5
DEMAND_SECTION
1 0
2 4
3 5
4 6
DEPOT_SECTION
1
-1
EOF
";
// line:  1 NAME, 2 TYPE, 3 DIMENSION, 4 CAPACITY, 5 EDGE_WEIGHT_TYPE,
//        6 NODE_COORD_SECTION, 7-10 coordinates, 11 DEMAND_SECTION,
//        12-15 demands, 16 DEPOT_SECTION, 17 depot, 18 -1, 19 EOF

/// `TINY` with line `line` (1-based) replaced by `with` (which may hold
/// several lines, or none).
fn tiny_with(line: usize, with: &str) -> String {
    let mut lines: Vec<&str> = TINY.lines().collect();
    if with.is_empty() {
        lines.remove(line - 1);
    } else {
        lines[line - 1] = with;
    }
    lines.join("\n") + "\n"
}

// ---------------------------------------------------------------------------
// Valid instances
// ---------------------------------------------------------------------------

#[test]
fn euc_2d_instance_parses_with_nint_distances() {
    let inst = parse_vrp(TINY, "tiny.vrp").unwrap();
    assert_eq!(inst.name(), "tiny");
    assert_eq!(inst.dimension(), 4);
    assert_eq!(inst.n_customers(), 3);
    assert_eq!(inst.capacity(), 10);
    assert_eq!(inst.depot(), 0);
    assert_eq!(inst.demands(), &[0, 4, 5, 6]);
    assert_eq!(inst.weights(), &Weights::Euc2d);
    assert_eq!(inst.distance_limit(), None);
    assert_eq!(inst.service_time(), None);
    // Nodes (0,0) (3,4) (6,8) (0,5):
    //   d01 = 5, d02 = 10, d03 = 5, d12 = 5,
    //   d13 = sqrt(9 + 1) = 3.16 -> 3, d23 = sqrt(36 + 9) = 6.71 -> 7
    #[rustfmt::skip]
    let expected = vec![
        0, 5, 10, 5,
        5, 0, 5, 3,
        10, 5, 0, 7,
        5, 3, 7, 0,
    ];
    assert_eq!(inst.distance_matrix(Rounding::Nint), expected);
    // Two decimals: d13 = 3.1623 -> 316, d23 = 6.7082 -> 671.
    let scaled = inst.distance_matrix(Rounding::Scaled(2));
    assert_eq!(scaled[7], 316);
    assert_eq!(scaled[11], 671);
}

#[test]
fn keyword_spellings_without_space_quotes_tabs_and_crlf_are_accepted() {
    let text = "NAME:\t\"quoted name\"\t\r\nCOMMENT: \"a comment\"\r\nTYPE: CVRP\r\n\
                DIMENSION:\t3\r\nCAPACITY:5\r\nEDGE_WEIGHT_TYPE :\tEUC_2D\r\n\
                NODE_COORD_SECTION\t\t\r\n1\t0\t0\r\n2\t0\t1\r\n\r\n3\t1\t0\r\n\
                DEMAND_SECTION\r\n1 0\r\n2 1\r\n3 1\r\nDEPOT_SECTION\r\n\t1\t\r\n\t-1\t\r\nEOF\r\n";
    let inst = parse_vrp(text, "x.vrp").unwrap();
    assert_eq!(inst.name(), "quoted name");
    assert_eq!(inst.comment(), Some("a comment"));
    assert_eq!(inst.dimension(), 3);
    assert_eq!(inst.capacity(), 5);
}

#[test]
fn name_defaults_to_the_file_stem_and_eof_is_optional() {
    let text = tiny_with(1, "COMMENT : no name here");
    let text = text.replace("EOF\n", "");
    let inst = parse_vrp(&text, "dir/some-instance.vrp").unwrap();
    assert_eq!(inst.name(), "some-instance");
}

#[test]
fn node_rows_may_come_in_any_order() {
    let text = TINY.replace(
        "1 0 0\n2 3 4\n3 6 8\n4 0 5\n",
        "4 0 5\n3 6 8\n2 3 4\n1 0 0\n",
    );
    let inst = parse_vrp(&text, "t.vrp").unwrap();
    assert_eq!(inst.coords().unwrap()[3], (0.0, 5.0));
    assert_eq!(inst.coords().unwrap()[0], (0.0, 0.0));
}

/// An EXPLICIT instance over the symmetric matrix
///
/// ```text
///      0  1  2  3
/// 0 [  0  1  2  3 ]
/// 1 [  1  0  4  5 ]
/// 2 [  2  4  0  6 ]
/// 3 [  3  5  6  0 ]
/// ```
///
/// with the weights listed in `format` as `weights`.
fn explicit(format: &str, weights: &str) -> String {
    format!(
        "NAME : m\nTYPE : CVRP\nDIMENSION : 4\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EXPLICIT\n\
         EDGE_WEIGHT_FORMAT : {format}\nEDGE_WEIGHT_SECTION\n{weights}\n\
         DEMAND_SECTION\n1 0\n2 1\n3 1\n4 1\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
}

#[rustfmt::skip]
const SYMMETRIC: [i64; 16] = [
    0, 1, 2, 3,
    1, 0, 4, 5,
    2, 4, 0, 6,
    3, 5, 6, 0,
];

#[test]
fn every_explicit_format_gives_the_same_symmetric_matrix() {
    // Entries in listing order, worked out from the matrix above:
    let cases = [
        // all 16 entries, row by row
        (
            "FULL_MATRIX",
            EdgeWeightFormat::FullMatrix,
            "0 1 2 3\n1 0 4 5\n2 4 0 6\n3 5 6 0",
        ),
        // (1,0) | (2,0) (2,1) | (3,0) (3,1) (3,2)
        ("LOWER_ROW", EdgeWeightFormat::LowerRow, "1\n2 4\n3 5 6"),
        // (0,0) | (1,0) (1,1) | (2,0) (2,1) (2,2) | (3,0) .. (3,3)
        (
            "LOWER_DIAG_ROW",
            EdgeWeightFormat::LowerDiagRow,
            "0\n1 0\n2 4 0\n3 5 6 0",
        ),
        // (0,1) (0,2) (0,3) | (1,2) (1,3) | (2,3)
        ("UPPER_ROW", EdgeWeightFormat::UpperRow, "1 2 3\n4 5\n6"),
        // (0,0) .. (0,3) | (1,1) (1,2) (1,3) | (2,2) (2,3) | (3,3)
        (
            "UPPER_DIAG_ROW",
            EdgeWeightFormat::UpperDiagRow,
            "0 1 2 3\n0 4 5\n0 6\n0",
        ),
        // column 0: (1,0) (2,0) (3,0) | column 1: (2,1) (3,1) | column 2: (3,2)
        ("LOWER_COL", EdgeWeightFormat::LowerCol, "1 2 3\n4 5\n6"),
        // column 1: (0,1) | column 2: (0,2) (1,2) | column 3: (0,3) (1,3) (2,3)
        ("UPPER_COL", EdgeWeightFormat::UpperCol, "1\n2 4\n3 5 6"),
        // column 0: (0,0) .. (3,0) | column 1: (1,1) (2,1) (3,1) | ...
        (
            "LOWER_DIAG_COL",
            EdgeWeightFormat::LowerDiagCol,
            "0 1 2 3\n0 4 5\n0 6\n0",
        ),
        // column 0: (0,0) | column 1: (0,1) (1,1) | ...
        (
            "UPPER_DIAG_COL",
            EdgeWeightFormat::UpperDiagCol,
            "0\n1 0\n2 4 0\n3 5 6 0",
        ),
    ];
    for (keyword, format, weights) in cases {
        let inst = parse_vrp(&explicit(keyword, weights), "m.vrp")
            .unwrap_or_else(|e| panic!("{keyword}: {e}"));
        match inst.weights() {
            Weights::Explicit { format: f, .. } => assert_eq!(*f, format),
            w => panic!("{keyword}: expected explicit weights, got {w:?}"),
        }
        assert_eq!(inst.distance_matrix(Rounding::Nint), SYMMETRIC, "{keyword}");
        assert_eq!(inst.coords(), None);
    }
}

#[test]
fn explicit_weights_may_span_lines_arbitrarily() {
    // LOWER_ROW 1 | 2 4 | 3 5 6, broken in odd places and with extra spaces.
    let inst = parse_vrp(&explicit("LOWER_ROW", "  1 2\n\n4 3   5\n 6 "), "m.vrp").unwrap();
    assert_eq!(inst.distance_matrix(Rounding::Nint), SYMMETRIC);
}

#[test]
fn full_matrix_is_kept_asymmetric() {
    // 0 -> 1 costs 7 but 1 -> 0 costs 9.
    let text = explicit("FULL_MATRIX", "0 7 2 3\n9 0 4 5\n2 4 0 6\n3 5 6 0");
    let m = parse_vrp(&text, "m.vrp")
        .unwrap()
        .distance_matrix(Rounding::Nint);
    assert_eq!((m[1], m[4]), (7, 9));
}

#[test]
fn explicit_real_weights_round_by_the_chosen_rule() {
    // UPPER_ROW: d01 = 1.25, d02 = 2.5, d03 = 3.75, d12 = 0.5, d13 = 1, d23 = 2.
    let inst = parse_vrp(&explicit("UPPER_ROW", "1.25 2.5 3.75 0.5 1 2"), "m.vrp").unwrap();
    let nint = inst.distance_matrix(Rounding::Nint);
    // nint: 1.25 -> 1, 2.5 -> 3, 3.75 -> 4, 0.5 -> 1
    assert_eq!(&nint[0..4], &[0, 1, 3, 4]);
    assert_eq!(nint[6], 1);
    let scaled = inst.distance_matrix(Rounding::Scaled(2));
    assert_eq!(&scaled[0..4], &[0, 125, 250, 375]);
    assert_eq!(inst.distance(0, 3), 3.75);
}

#[test]
fn display_data_section_gives_coordinates_to_explicit_instances() {
    let text = explicit("UPPER_ROW", "1 2 3 4 5 6").replace(
        "DEMAND_SECTION",
        "DISPLAY_DATA_SECTION\n1 10 20\n2 11 21\n3 12 22\n4 13 23\nDEMAND_SECTION",
    );
    let inst = parse_vrp(&text, "m.vrp").unwrap();
    assert_eq!(inst.coords().unwrap()[3], (13.0, 23.0));
    // The distances still come from the matrix.
    assert_eq!(inst.distance_matrix(Rounding::Nint), SYMMETRIC);
}

#[test]
fn real_explicit_instance_e_n13_k4_reads_as_lower_row() {
    let inst = read_vrp(fixture("E-n13-k4.vrp")).unwrap();
    assert_eq!(inst.name(), "E-n13-k4");
    assert_eq!(inst.dimension(), 13);
    assert_eq!(inst.capacity(), 6000);
    assert_eq!(inst.coords(), None);
    let m = inst.distance_matrix(Rounding::Nint);
    // The section starts "9 14 21 23 22 25": (1,0) = 9, (2,0) = 14,
    // (2,1) = 21, (3,0) = 23, (3,1) = 22, (3,2) = 25. This reading gives the
    // published optimum 247; the upper-row reading would give 290.
    assert_eq!((m[13], m[2 * 13], m[2 * 13 + 1]), (9, 14, 21));
    assert_eq!((m[3 * 13], m[3 * 13 + 1], m[3 * 13 + 2]), (23, 22, 25));
    assert_eq!((m[1], m[2], m[13 + 2]), (9, 14, 21));
    // Last weight of the section is (12,11) = 10.
    assert_eq!(m[12 * 13 + 11], 10);
    assert_eq!(inst.demands()[1], 1200);
}

#[test]
fn real_euc_2d_fixtures_parse() {
    // (file, dimension, capacity, demand of the last node)
    let cases = [
        ("E-n22-k4.vrp", 22, 6000, 700),
        ("A-n32-k5.vrp", 32, 100, 9),
        ("P-n16-k8.vrp", 16, 35, 11),
        ("X-n101-k25.vrp", 101, 206, 35),
    ];
    for (file, dimension, capacity, last_demand) in cases {
        let inst = read_vrp(fixture(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(inst.name(), file.trim_end_matches(".vrp"));
        assert_eq!(inst.dimension(), dimension, "{file}");
        assert_eq!(inst.capacity(), capacity, "{file}");
        assert_eq!(inst.depot(), 0, "{file}");
        assert_eq!(inst.demands()[0], 0, "{file}");
        assert_eq!(*inst.demands().last().unwrap(), last_demand, "{file}");
        assert_eq!(inst.coords().unwrap().len(), dimension, "{file}");
    }
    let x = read_vrp(fixture("X-n101-k25.vrp")).unwrap();
    assert_eq!(
        x.comment(),
        Some("Generated by Uchoa, Pecin, Pessoa, Poggi, Subramanian, and Vidal (2013)")
    );
    assert_eq!(x.coords().unwrap()[0], (365.0, 689.0));
}

#[test]
fn cmt_instance_has_distance_limit_and_service_time() {
    let inst = read_vrp(fixture("CMT6.vrp")).unwrap();
    assert_eq!(inst.dimension(), 51);
    assert_eq!(inst.capacity(), 160);
    assert_eq!(inst.distance_limit(), Some(200.0));
    assert_eq!(inst.service_time(), Some(10.0));
    assert_eq!(inst.comment(), Some("555.43"));
    // Node 1 (30, 40) to node 2 (37, 52): sqrt(49 + 144) = 13.8924 -> 1389.
    assert_eq!(inst.distance_matrix(Rounding::Scaled(2))[1], 1389);
    assert!((inst.distance(0, 1) - 193f64.sqrt()).abs() < 1e-12);
}

// ---------------------------------------------------------------------------
// Malformed instances
// ---------------------------------------------------------------------------

#[test]
fn missing_section_names_the_section_and_the_end_of_the_file() {
    // Lines 11-15 (DEMAND_SECTION) removed: EOF is now line 14.
    let mut lines: Vec<&str> = TINY.lines().collect();
    lines.drain(10..15);
    let text = lines.join("\n");
    assert_vrp_error(
        &text,
        14,
        "DEMAND_SECTION",
        "missing section DEMAND_SECTION",
    );
    let no_coords = TINY.replace("NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 0 5\n", "");
    assert_vrp_error(
        &no_coords,
        14,
        "NODE_COORD_SECTION",
        "missing section NODE_COORD_SECTION",
    );
    let no_depot = TINY.replace("DEPOT_SECTION\n1\n-1\n", "");
    assert_vrp_error(
        &no_depot,
        16,
        "DEPOT_SECTION",
        "missing section DEPOT_SECTION",
    );
}

#[test]
fn missing_keyword_points_at_the_end_of_the_specification() {
    let text = tiny_with(4, "");
    // CAPACITY removed: NODE_COORD_SECTION is now line 5.
    assert_vrp_error(&text, 5, "CAPACITY", "missing keyword CAPACITY");
    assert_vrp_error(
        &tiny_with(3, ""),
        5,
        "DIMENSION",
        "missing keyword DIMENSION",
    );
    assert_vrp_error(
        &tiny_with(5, ""),
        5,
        "EDGE_WEIGHT_TYPE",
        "missing keyword EDGE_WEIGHT_TYPE",
    );
}

#[test]
fn empty_file_is_an_error_at_line_1() {
    assert_vrp_error("", 1, "DIMENSION", "missing keyword DIMENSION");
}

#[test]
fn too_few_rows_name_the_node_without_an_entry() {
    // Line 10 ("4 0 5") removed: the section ends on line 9.
    assert_vrp_error(
        &tiny_with(10, ""),
        9,
        "NODE_COORD_SECTION",
        "node 4 has none",
    );
    assert_vrp_error(
        &tiny_with(13, ""),
        14,
        "DEMAND_SECTION",
        "has 3 entries but DIMENSION is 4",
    );
}

#[test]
fn truncated_file_gives_the_count_or_field_error() {
    // Cut after line 13: DEMAND_SECTION has 2 rows.
    let cut: String = TINY.lines().take(13).map(|l| format!("{l}\n")).collect();
    assert_vrp_error(
        &cut,
        13,
        "DEMAND_SECTION",
        "has 2 entries but DIMENSION is 4",
    );
    // Cut in the middle of line 14.
    let cut = format!("{}3", cut);
    assert_vrp_error(
        &cut,
        14,
        "DEMAND_SECTION",
        "expected 'id demand' (2 fields), found 1",
    );
}

#[test]
fn non_numeric_fields_are_named() {
    assert_vrp_error(
        &tiny_with(14, "3 5x"),
        14,
        "DEMAND_SECTION",
        "expected the demand of node 3 as an integer, found '5x'",
    );
    assert_vrp_error(
        &tiny_with(8, "2 3 y"),
        8,
        "NODE_COORD_SECTION",
        "expected the y coordinate of node 2 as a number, found 'y'",
    );
    assert_vrp_error(
        &tiny_with(8, "2 nan 4"),
        8,
        "NODE_COORD_SECTION",
        "x coordinate",
    );
    assert_vrp_error(
        &tiny_with(8, "two 3 4"),
        8,
        "NODE_COORD_SECTION",
        "expected a node id",
    );
    assert_vrp_error(
        &tiny_with(4, "CAPACITY : ten"),
        4,
        "CAPACITY",
        "positive integer, found 'ten'",
    );
    assert_vrp_error(
        &tiny_with(3, "DIMENSION : 4.5"),
        3,
        "DIMENSION",
        "found '4.5'",
    );
    assert_vrp_error(&tiny_with(3, "DIMENSION : 1"), 3, "DIMENSION", "at least 2");
    assert_vrp_error(
        &tiny_with(17, "one"),
        17,
        "DEPOT_SECTION",
        "expected a depot node id or -1",
    );
}

#[test]
fn demand_above_capacity_is_an_error() {
    assert_vrp_error(
        &tiny_with(14, "3 11"),
        14,
        "DEMAND_SECTION",
        "above CAPACITY 10 (line 4)",
    );
}

#[test]
fn negative_values_are_errors() {
    assert_vrp_error(&tiny_with(13, "2 -4"), 13, "DEMAND_SECTION", "negative");
    assert_vrp_error(
        &tiny_with(4, "CAPACITY : -10"),
        4,
        "CAPACITY",
        "positive integer",
    );
    assert_vrp_error(
        &tiny_with(5, "EDGE_WEIGHT_TYPE : EUC_2D\nDISTANCE : -5"),
        6,
        "DISTANCE",
        "positive number",
    );
    assert_vrp_error(
        &tiny_with(5, "EDGE_WEIGHT_TYPE : EUC_2D\nSERVICE_TIME : -1"),
        6,
        "SERVICE_TIME",
        "non-negative",
    );
    assert_vrp_error(
        &explicit("UPPER_ROW", "1 2 3\n4 -5 6"),
        9,
        "EDGE_WEIGHT_SECTION",
        "weight -5 is negative",
    );
}

#[test]
fn unsupported_keyword_values_are_errors() {
    assert_vrp_error(
        &tiny_with(5, "EDGE_WEIGHT_TYPE : GEO"),
        5,
        "EDGE_WEIGHT_TYPE",
        "unsupported EDGE_WEIGHT_TYPE 'GEO': expected EUC_2D or EXPLICIT",
    );
    assert_vrp_error(
        &tiny_with(2, "TYPE : TSP"),
        2,
        "TYPE",
        "unsupported TYPE 'TSP'",
    );
    assert_vrp_error(
        &explicit("LOWER_TRIANGLE", "1 2 4 3 5 6"),
        6,
        "EDGE_WEIGHT_FORMAT",
        "unsupported EDGE_WEIGHT_FORMAT 'LOWER_TRIANGLE'",
    );
    assert_vrp_error(
        &tiny_with(
            5,
            "EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_TYPE : THREED_COORDS",
        ),
        6,
        "NODE_COORD_TYPE",
        "expected TWOD_COORDS or NO_COORDS",
    );
    assert_vrp_error(
        &tiny_with(
            5,
            "EDGE_WEIGHT_TYPE : EUC_2D\nEDGE_WEIGHT_FORMAT : LOWER_ROW",
        ),
        6,
        "EDGE_WEIGHT_FORMAT",
        "contradicts EDGE_WEIGHT_TYPE EUC_2D",
    );
    // FUNCTION is the TSPLIB value for computed weights and is accepted.
    parse_vrp(
        &tiny_with(
            5,
            "EDGE_WEIGHT_TYPE : EUC_2D\nEDGE_WEIGHT_FORMAT : FUNCTION",
        ),
        "t.vrp",
    )
    .unwrap();
}

#[test]
fn unknown_keywords_and_sections_are_errors() {
    assert_vrp_error(
        &tiny_with(2, "TYPE : CVRP\nVEHICLES : 4"),
        3,
        "VEHICLES",
        "unknown keyword 'VEHICLES'",
    );
    assert_vrp_error(
        &tiny_with(16, "TIME_WINDOW_SECTION\n1 0 100\nDEPOT_SECTION"),
        16,
        "TIME_WINDOW_SECTION",
        "unknown section 'TIME_WINDOW_SECTION'",
    );
    assert_vrp_error(
        &tiny_with(2, "TYPE : CVRP\nCAPACITY : 12"),
        5,
        "CAPACITY",
        "CAPACITY appears twice; the first one is on line 3",
    );
    assert_vrp_error(
        &tiny_with(2, "TYPE : CVRP\n42"),
        3,
        "line",
        "found '42' outside any section",
    );
}

#[test]
fn depot_section_errors() {
    assert_vrp_error(&tiny_with(18, ""), 17, "DEPOT_SECTION", "must end with -1");
    assert_vrp_error(
        &tiny_with(17, "1\n2"),
        18,
        "DEPOT_SECTION",
        "a second depot (node 2)",
    );
    assert_vrp_error(&tiny_with(17, ""), 17, "DEPOT_SECTION", "no depot");
    assert_vrp_error(
        &tiny_with(17, "9"),
        17,
        "DEPOT_SECTION",
        "depot id 9 is out of range",
    );
    assert_vrp_error(
        &tiny_with(18, "-1 3"),
        18,
        "DEPOT_SECTION",
        "unexpected '3' after the -1",
    );
    // The depot's own demand must be 0.
    assert_vrp_error(
        &tiny_with(12, "1 3"),
        12,
        "DEMAND_SECTION",
        "the depot (node 1) has demand 3",
    );
    // A depot other than node 1 is fine.
    let text = tiny_with(17, "2").replace("1 0\n2 4\n", "1 4\n2 0\n");
    assert_eq!(parse_vrp(&text, "t.vrp").unwrap().depot(), 1);
}

#[test]
fn node_ids_out_of_range_and_duplicates_are_errors() {
    assert_vrp_error(
        &tiny_with(10, "5 0 5"),
        10,
        "NODE_COORD_SECTION",
        "node id 5 is out of range",
    );
    assert_vrp_error(
        &tiny_with(10, "0 0 5"),
        10,
        "NODE_COORD_SECTION",
        "node id 0 is out of range",
    );
    assert_vrp_error(
        &tiny_with(9, "2 6 8"),
        9,
        "NODE_COORD_SECTION",
        "node 2 appears twice in NODE_COORD_SECTION; the first time on line 8",
    );
    assert_vrp_error(
        &tiny_with(15, "2 6"),
        15,
        "DEMAND_SECTION",
        "node 2 appears twice",
    );
    assert_vrp_error(
        &tiny_with(
            6,
            "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 0 5\nNODE_COORD_SECTION",
        ),
        11,
        "NODE_COORD_SECTION",
        "appears twice",
    );
}

#[test]
fn explicit_weight_count_errors() {
    // LOWER_ROW for 4 nodes needs 6 weights.
    assert_vrp_error(
        &explicit("LOWER_ROW", "1\n2 4\n3 5"),
        10,
        "EDGE_WEIGHT_SECTION",
        "ends after 5 weights; LOWER_ROW with DIMENSION 4 needs 6",
    );
    assert_vrp_error(
        &explicit("LOWER_ROW", "1\n2 4\n3 5 6 7"),
        10,
        "EDGE_WEIGHT_SECTION",
        "too many weights: LOWER_ROW with DIMENSION 4 has 6, found another value '7'",
    );
    assert_vrp_error(
        &explicit("LOWER_ROW", "1\n2 x\n3 5 6"),
        9,
        "EDGE_WEIGHT_SECTION",
        "expected a weight (a number), found 'x'",
    );
    let no_format =
        explicit("LOWER_ROW", "1 2 4 3 5 6").replace("EDGE_WEIGHT_FORMAT : LOWER_ROW\n", "");
    assert_vrp_error(
        &no_format,
        5,
        "EDGE_WEIGHT_FORMAT",
        "needs an EDGE_WEIGHT_FORMAT",
    );
    let no_section = explicit("LOWER_ROW", "").replace("EDGE_WEIGHT_SECTION\n\n", "");
    assert_vrp_error(
        &no_section,
        15,
        "EDGE_WEIGHT_SECTION",
        "missing section EDGE_WEIGHT_SECTION",
    );
    assert_vrp_error(
        &tiny_with(6, "EDGE_WEIGHT_SECTION\n1 2 3 4 5 6\nNODE_COORD_SECTION"),
        6,
        "EDGE_WEIGHT_SECTION",
        "EDGE_WEIGHT_SECTION given but EDGE_WEIGHT_TYPE is EUC_2D",
    );
}

#[test]
fn error_messages_name_the_file_and_line() {
    let err = parse_vrp(&tiny_with(14, "3 11"), "instances/bad.vrp").unwrap_err();
    assert_eq!(
        err.to_string(),
        "instances/bad.vrp:14: field 'DEMAND_SECTION': the demand of node 3 is 11, above \
         CAPACITY 10 (line 4): no vehicle can serve it"
    );
    assert!(err.is_input());
    let err = read_vrp("/nonexistent/dir/x.vrp").unwrap_err();
    assert!(matches!(err, Error::Io { .. }));
    assert!(err.to_string().starts_with("/nonexistent/dir/x.vrp: "));
}

// ---------------------------------------------------------------------------
// .sol
// ---------------------------------------------------------------------------

#[test]
fn real_x_solution_recomputes_to_its_cost_line() {
    let inst = read_vrp(fixture("X-n101-k25.vrp")).unwrap();
    let sol = read_sol(fixture("X-n101-k25.sol"), Some(&inst)).unwrap();
    assert_eq!(sol.routes.len(), 26);
    assert_eq!(sol.cost, Some(27591.0));
    assert_eq!(sol.routes[0], vec![31, 46, 35]);
    // Every customer exactly once.
    let visited: HashSet<usize> = sol.routes.iter().flatten().copied().collect();
    assert_eq!(visited, (1..101).collect());
    assert_eq!(sol.routes.iter().map(Vec::len).sum::<usize>(), 100);
    // Cost with nint distances, depot -> customers -> depot.
    let n = inst.dimension();
    let m = inst.distance_matrix(Rounding::Nint);
    let cost: i64 = sol
        .routes
        .iter()
        .map(|r| {
            let mut prev = inst.depot();
            let mut c = 0;
            for &v in r.iter().chain(std::iter::once(&inst.depot())) {
                c += m[prev * n + v];
                prev = v;
            }
            c
        })
        .sum();
    assert_eq!(cost, 27591);
    // And every route fits the capacity.
    for r in &sol.routes {
        assert!(r.iter().map(|&c| inst.demands()[c]).sum::<i64>() <= inst.capacity());
    }
}

#[test]
fn sol_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.sol");
    let sol = CvrpSolution {
        routes: vec![vec![3, 1], vec![2]],
        cost: Some(27.0),
    };
    write_sol(&path, &sol).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "Route #1: 3 1\nRoute #2: 2\nCost 27\n"
    );
    assert_eq!(read_sol(&path, None).unwrap(), sol);
    // Only the .sol is left in the directory: the temporary file was renamed.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("out.sol")]);

    // Real-valued costs keep their decimals; empty routes are left out.
    let sol = CvrpSolution {
        routes: vec![vec![1], vec![], vec![2, 3]],
        cost: Some(524.61),
    };
    write_sol(&path, &sol).unwrap();
    let back = read_sol(&path, None).unwrap();
    assert_eq!(back.routes, vec![vec![1], vec![2, 3]]);
    assert_eq!(back.cost, Some(524.61));
    // No cost, no Cost line.
    assert_eq!(
        format_sol(&CvrpSolution {
            routes: vec![vec![1]],
            cost: None
        }),
        "Route #1: 1\n"
    );
    let bad = CvrpSolution {
        routes: vec![vec![1]],
        cost: Some(f64::NAN),
    };
    assert!(matches!(write_sol(&path, &bad), Err(Error::Invalid(_))));
}

#[test]
fn written_sol_numbering_is_what_the_peer_checker_reads() {
    // run_peer.py reads customers as "node id - 1" (depot node 1 -> 0), the
    // same 0-based node index this module uses: a route through file nodes
    // 2 and 4 is written "1 3".
    let inst = parse_vrp(TINY, "tiny.vrp").unwrap();
    let sol = CvrpSolution {
        routes: vec![vec![1, 3], vec![2]],
        cost: Some(28.0),
    };
    let text = format_sol(&sol);
    assert_eq!(text, "Route #1: 1 3\nRoute #2: 2\nCost 28\n");
    assert_eq!(parse_sol(&text, "t.sol", Some(&inst)).unwrap(), sol);
}

#[track_caller]
fn assert_sol_error(text: &str, with_instance: bool, line: usize, field: &str, needle: &str) {
    let inst = parse_vrp(TINY, "tiny.vrp").unwrap();
    let result = parse_sol(text, "bad.sol", with_instance.then_some(&inst));
    let (l, f, m) = input_error(result);
    assert_eq!((l, f.as_str()), (line, field), "message: {m}");
    assert!(m.contains(needle), "message {m:?} lacks {needle:?}");
}

#[test]
fn malformed_sol_files_name_the_line() {
    assert_sol_error(
        "Route #1: 1 x 3\nCost 5\n",
        false,
        1,
        "Route #1",
        "expected a customer number (a non-negative integer), found 'x'",
    );
    assert_sol_error("Route #1: 1 -2\n", false, 1, "Route #1", "found '-2'");
    assert_sol_error(
        "Route #1: 1 2\nRoute #2: 3 2\n",
        false,
        2,
        "Route #2",
        "customer 2 is visited twice: it is already in route #1 (line 1)",
    );
    assert_sol_error(
        "Route #1: 1 2\n\nRoute #2: 4\n",
        true,
        3,
        "Route #2",
        "customer 4 is out of range: instance tiny has nodes 0 to 3",
    );
    assert_sol_error("Route #1: 0 1\n", true, 1, "Route #1", "0 is the depot");
    assert_sol_error(
        "Route #1 1 2\n",
        false,
        1,
        "Route",
        "expected 'Route #k: c1 c2 ...'",
    );
    assert_sol_error(
        "Route #a: 1 2\n",
        false,
        1,
        "Route",
        "expected a route number",
    );
    assert_sol_error(
        "Route #1: 1\nRoute #1: 2\n",
        false,
        2,
        "Route #1",
        "appears twice",
    );
    assert_sol_error(
        "Route #1: 1\nCost x\n",
        false,
        2,
        "Cost",
        "expected 'Cost <number>'",
    );
    assert_sol_error(
        "Route #1: 1\nCost 3\nCost 4\n",
        false,
        3,
        "Cost",
        "a second Cost line",
    );
    assert_sol_error(
        "Route #1: 1\nTime 3.2\n",
        false,
        2,
        "line",
        "found 'Time 3.2'",
    );
    assert_sol_error("Cost 3\n", false, 1, "Route", "no route");
    assert_sol_error("", false, 1, "Route", "no route");
}

#[test]
fn sol_accepts_peer_spellings() {
    // "Route 1:" without '#', "Cost:" with a colon, trailing spaces, CRLF.
    let sol = parse_sol(
        "Route 1: 1 2 \r\nroute #2: 3\r\nCost: 12.5\r\n",
        "p.sol",
        None,
    )
    .unwrap();
    assert_eq!(sol.routes, vec![vec![1, 2], vec![3]]);
    assert_eq!(sol.cost, Some(12.5));
}

// ---------------------------------------------------------------------------
// bks.csv
// ---------------------------------------------------------------------------

const BKS: &str = "instance,n_customers,capacity,bks,optimal_proven,source
X-n101-k25,100,206,27591,yes,\"bks: PyVRP/Instances, a quoted, comma-holding source\"
CMT1,50,160,524.61,unknown,Timefold
P-n55-k8,54,160,588,no,x
";

#[test]
fn bks_rows_parse() {
    let bks = parse_bks(BKS, "bks.csv").unwrap();
    assert_eq!(bks.len(), 3);
    let x = &bks["X-n101-k25"];
    assert_eq!(
        (x.bks, x.optimal, x.n_customers, x.capacity),
        (27591.0, true, 100, 206)
    );
    assert_eq!(bks["CMT1"].bks, 524.61);
    assert!(!bks["CMT1"].optimal);
    assert!(!bks["P-n55-k8"].optimal);
}

#[track_caller]
fn assert_bks_error(text: &str, line: usize, field: &str, needle: &str) {
    let (l, f, m) = input_error(parse_bks(text, "bks.csv"));
    assert_eq!((l, f.as_str()), (line, field), "message: {m}");
    assert!(m.contains(needle), "message {m:?} lacks {needle:?}");
}

#[test]
fn malformed_bks_rows_name_line_and_column() {
    assert_bks_error(
        &BKS.replace("524.61", "n/a"),
        3,
        "bks",
        "expected the best-known value (a non-negative number), found 'n/a'",
    );
    assert_bks_error(
        &BKS.replace("unknown", "maybe"),
        3,
        "optimal_proven",
        "yes, no or unknown",
    );
    assert_bks_error(
        &BKS.replace(",bks,", ",best,"),
        1,
        "bks",
        "missing column 'bks'",
    );
    assert_bks_error(
        &BKS.replace("P-n55-k8", "CMT1"),
        4,
        "instance",
        "listed twice",
    );
    assert_bks_error(
        &BKS.replace("54,160", "54,0"),
        4,
        "capacity",
        "positive integer",
    );
}

// ---------------------------------------------------------------------------
// Every file in the shared CVRPLIB folder (run with --ignored)
// ---------------------------------------------------------------------------

fn shared_cvrplib() -> PathBuf {
    std::env::var_os("CVRPLIB_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/cvrplib"),
        PathBuf::from,
    )
}

fn files_with_extension(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_with_extension(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// Parses every `.vrp` under `../shared/data/cvrplib` (or `$CVRPLIB_DIR`),
/// compares DIMENSION and CAPACITY with `bks.csv`, and re-scores every
/// `.sol` against its instance with nint distances.
#[test]
#[ignore = "reads the whole shared CVRPLIB folder (about 240 instances, 110 solutions)"]
fn every_shared_cvrplib_file_parses_and_matches_bks_csv() {
    let root = shared_cvrplib();
    let bks = cvrplib::read_bks(root.join("bks.csv")).unwrap();
    let mut vrps = Vec::new();
    files_with_extension(&root, "vrp", &mut vrps);
    assert!(!vrps.is_empty(), "no .vrp files under {}", root.display());
    let mut seen = HashSet::new();
    for path in &vrps {
        let inst = read_vrp(path).unwrap_or_else(|e| panic!("{e}"));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(inst.name().trim(), stem, "NAME vs file name");
        let row = bks
            .get(&stem)
            .unwrap_or_else(|| panic!("{stem} missing from bks.csv"));
        assert_eq!(inst.n_customers(), row.n_customers, "{stem}: DIMENSION - 1");
        assert_eq!(inst.capacity(), row.capacity, "{stem}: CAPACITY");
        seen.insert(stem);
    }
    let mut sols = Vec::new();
    files_with_extension(&root.join("solutions"), "sol", &mut sols);
    for path in &sols {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let vrp = vrps
            .iter()
            .find(|p| p.file_stem().is_some_and(|s| s.to_string_lossy() == stem))
            .unwrap_or_else(|| panic!("no instance for {}", path.display()));
        let inst = read_vrp(vrp).unwrap();
        let sol = read_sol(path, Some(&inst)).unwrap_or_else(|e| panic!("{e}"));
        let depot = inst.depot();
        let nint = |a: usize, b: usize| Rounding::Nint.apply(inst.distance(a, b));
        let cost: i64 = sol
            .routes
            .iter()
            .map(|r| {
                let mut prev = depot;
                let mut c = 0;
                for &v in r.iter().chain(std::iter::once(&depot)) {
                    c += nint(prev, v);
                    prev = v;
                }
                c
            })
            .sum();
        assert_eq!(Some(cost as f64), sol.cost, "{}", path.display());
        let served: usize = sol.routes.iter().map(Vec::len).sum();
        assert_eq!(served, inst.n_customers(), "{}", path.display());
    }
    let missing: Vec<&String> = bks.keys().filter(|k| !seen.contains(*k)).collect();
    println!(
        "{} instances parsed, {} solutions re-scored; bks.csv rows without a file: {}",
        vrps.len(),
        sols.len(),
        missing.len()
    );
}

// ---------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------

/// `count` mutations of `text`, the same on every run: drop a line, cut the
/// file, replace a token by something odd, or repeat a line.
pub(crate) fn mutations(text: &str, count: usize) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    };
    const ODD: [&str; 10] = [
        "",
        "x",
        "-1",
        "0",
        "-7",
        "1e400",
        "NaN",
        "99999999999999999999",
        "3.5",
        "EOF",
    ];
    let lines: Vec<&str> = text.lines().collect();
    (0..count)
        .map(|_| {
            let mut ls: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let at = next(ls.len());
            match next(4) {
                0 => {
                    ls.remove(at);
                }
                1 => ls.truncate(at),
                2 => {
                    let toks: Vec<&str> = lines[at].split_whitespace().collect();
                    let k = next(toks.len());
                    let odd = ODD[next(ODD.len())];
                    let new: Vec<&str> = toks
                        .iter()
                        .enumerate()
                        .map(|(i, t)| if i == k { odd } else { t })
                        .collect();
                    ls[at] = new.join(" ");
                }
                _ => {
                    let dup = ls[at].clone();
                    ls.insert(at, dup);
                }
            }
            ls.join("\n")
        })
        .collect()
}

#[test]
fn mutated_files_give_errors_not_panics() {
    // Each parse either succeeds or returns an error with a line number; a
    // panic fails the test.
    for file in ["E-n13-k4.vrp", "P-n16-k8.vrp", "CMT6.vrp"] {
        let text = std::fs::read_to_string(fixture(file)).unwrap();
        for variant in mutations(&text, 400) {
            match parse_vrp(&variant, file) {
                Ok(inst) => assert_eq!(
                    inst.distance_matrix(Rounding::Nint).len(),
                    inst.dimension().pow(2)
                ),
                Err(Error::Input { location, .. }) => assert!(location.line.is_some()),
                Err(e) => panic!("{file}: unexpected error kind: {e}"),
            }
        }
    }
    let text = std::fs::read_to_string(fixture("X-n101-k25.sol")).unwrap();
    let inst = read_vrp(fixture("X-n101-k25.vrp")).unwrap();
    for variant in mutations(&text, 400) {
        let _ = parse_sol(&variant, "m.sol", Some(&inst));
        let _ = parse_sol(&variant, "m.sol", None);
    }
    for variant in mutations(BKS, 200) {
        let _ = parse_bks(&variant, "bks.csv");
    }
}
