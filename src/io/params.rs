//! Solver parameter files (`--params FILE`): TOML with fields of
//! [`SolveParams`], each overriding the command's defaults.
//!
//! A field the chosen method does not read (for example `mu` with
//! `method = "ils"`) is refused by name rather than ignored, and so is an
//! unknown field (with the closest known one).

use std::path::Path;

use crate::error::Location;
use crate::solver::{COMMON_FIELDS, HGS_FIELDS, SolveParams};
use crate::{Error, Result};

/// Reads a parameter file; fields it does not set keep their value in
/// `base`. `fixed` lists fields that the caller sets another way (a
/// command-line flag), with where: they are refused in the file.
///
/// # Errors
/// [`Error::Io`] if unreadable; [`Error::Input`] naming the file, line and
/// field of an unknown field, a field the method does not use, a fixed
/// field, or a bad value.
pub fn read_solve_params(
    path: &Path,
    base: &SolveParams,
    fixed: &[(&str, &str)],
) -> Result<SolveParams> {
    let text = super::read_text(path)?;
    solve_params_from_str(&text, base, fixed).map_err(|e| match e {
        Error::Input { location, message } => Error::Input {
            location: Location {
                file: Some(path.to_path_buf()),
                ..location
            },
            message,
        },
        Error::Invalid(message) => Error::input(Location::file(path), message),
        e => e,
    })
}

/// Parses parameter TOML text; see [`read_solve_params`]. Locations name
/// the line and field, not the file.
///
/// # Errors
/// As [`read_solve_params`].
pub fn solve_params_from_str(
    text: &str,
    base: &SolveParams,
    fixed: &[(&str, &str)],
) -> Result<SolveParams> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| super::toml_error(Location::default(), text, &e))?;
    let at = |key: &str| {
        let loc = Location::default().with_field(key);
        match key_line(text, key) {
            Some(l) => loc.at_line(l),
            None => loc,
        }
    };
    let known: Vec<&str> = COMMON_FIELDS.iter().chain(&HGS_FIELDS).copied().collect();
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            return Err(Error::input(
                at(key),
                super::unknown_name("solver parameter", key, &known),
            ));
        }
        if let Some((_, how)) = fixed.iter().find(|(f, _)| f == key) {
            return Err(Error::input(
                at(key),
                format!("'{key}' is not read from the parameter file: {how}"),
            ));
        }
    }
    let mut merged = toml::Table::try_from(base)
        .map_err(|e| Error::Internal(format!("solver parameters as TOML: {e}")))?;
    for (k, v) in &table {
        merged.insert(k.clone(), v.clone());
    }
    let params: SolveParams = merged.try_into().map_err(|e: toml::de::Error| {
        Error::input(Location::default(), e.message().trim().to_string())
    })?;
    for key in table.keys() {
        if !params.method.uses(key) {
            return Err(Error::input(
                at(key),
                format!(
                    "'{key}' is a parameter of the genetic search (method = \"hgs\"); method = \"{}\" does not use it",
                    params.method.name()
                ),
            ));
        }
    }
    params.validate()?;
    Ok(params)
}

/// The line where top-level `key` is set in TOML `text`, if written `key = ...`.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.split_once('=')
                .is_some_and(|(lhs, _)| lhs.trim().trim_matches('"') == key)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::Method;
    use crate::testutil::assert_err;

    const FLAGS: [(&str, &str); 1] = [("seed", "use --seed")];

    #[test]
    fn fields_override_the_base_and_keep_the_rest() {
        let base = SolveParams::for_plans();
        let p = solve_params_from_str("mu = 30\n", &base, &FLAGS).unwrap();
        assert_eq!(p.mu, 30);
        assert_eq!(p.method, Method::Hgs);
        assert_eq!(p.lambda, base.lambda);
        let p = solve_params_from_str("n_granular = 10\n", &SolveParams::default(), &[]).unwrap();
        assert_eq!((p.method, p.n_granular), (Method::Ils, 10));
    }

    #[test]
    fn fields_the_method_ignores_unknown_and_fixed_fields_are_refused_by_name() {
        let base = SolveParams::default();
        let e = solve_params_from_str("method = \"ils\"\nmu = 30\n", &base, &FLAGS).unwrap_err();
        assert!(
            matches!(&e, Error::Input { location, .. } if location.line == Some(2)),
            "{e}"
        );
        let e = e.to_string();
        assert!(e.contains("'mu'") && e.contains("genetic"), "{e}");
        // Under the ILS default of `cvrp`, a genetic field alone is refused too.
        assert_err(
            solve_params_from_str("initial_population = 4\n", &base, &FLAGS),
            &["initial_population", "\"ils\""],
        );
        assert_err(
            solve_params_from_str("lamda = 3\n", &base, &FLAGS),
            &["did you mean 'lambda'"],
        );
        assert_err(
            solve_params_from_str("seed = 3\n", &base, &FLAGS),
            &["use --seed"],
        );
        assert_err(
            solve_params_from_str("method = \"hgs\"\ntarget_feasible = nan\n", &base, &[]),
            &["target_feasible"],
        );
        assert!(solve_params_from_str("mu = ", &base, &[]).is_err());
    }
}
