//! `catalogue`: generates the built-in threat actor and malware tables from MISP galaxies.

use std::{fs, process::ExitCode};

use super::Outcome;
use crate::{
    config::CatalogueArgs,
    pipeline::entities::catalogue::{self, WordFrequencies},
};

/// Reads the galaxies and word frequencies, and writes the catalogue, the readings of its names
/// and the galaxies' licence into the output directory.
pub fn catalogue(args: &CatalogueArgs) -> Outcome {
    let licence = args.licence.clone().unwrap_or_else(|| args.galaxies.join("MISP-GALAXY-LICENSE.md"));
    let licence_text = fs::read_to_string(&licence).map_err(|e| {
        format!(
            "cannot read the galaxies' licence {}: {e}; the tables must carry it (see --licence)",
            licence.display()
        )
    })?;
    let frequencies = fs::read_to_string(&args.word_frequencies)
        .map_err(|e| format!("cannot read {}: {e}", args.word_frequencies.display()))?;
    let words =
        WordFrequencies::parse(&frequencies).map_err(|e| format!("{}: {e}", args.word_frequencies.display()))?;
    let files = catalogue::galaxy_files(&args.galaxies)?;
    let generated = catalogue::generate(&files, &words)?;
    fs::create_dir_all(&args.out).map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    for (name, contents) in
        [("catalogue.tsv", &generated.table), ("readings.tsv", &generated.readings), ("LICENSE.md", &licence_text)]
    {
        let path = args.out.join(name);
        fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!(
        "read {} clusters from {} galaxy files; wrote {} rows and {} names that do not stand alone to {}",
        generated.clusters,
        files.len(),
        generated.rows,
        generated.readings.lines().filter(|l| !l.starts_with('#')).count(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
