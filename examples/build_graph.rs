//! Builds a road graph from an extract and prints the build report as JSON.
//!
//! `cargo run --release --example build_graph -- FILE.osm.pbf [truck|small|FILE.toml]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: build_graph FILE.osm.pbf [PROFILE]")?;
    let profile = wasteroute::graph::Profile::from_name_or_file(
        args.get(2).map(String::as_str).unwrap_or("truck"),
    )?;
    let (_g, report) = wasteroute::graph::RoadGraph::from_osm(path.as_ref(), &profile)?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
