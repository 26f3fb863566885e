//! The library's error type.
//!
//! Every error that comes from user input names where it came from: the file,
//! the line or record, and the field, so that a dispatcher can fix the input
//! without reading code.

use std::fmt;
use std::path::PathBuf;

/// Where in an input a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file, if the input came from a file.
    pub file: Option<PathBuf>,
    /// 1-based line (text formats) or record number (CSV, GeoJSON features).
    pub line: Option<usize>,
    /// The field, column or keyword.
    pub field: Option<String>,
}

impl Location {
    /// A location in `file`.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: Some(file.into()),
            line: None,
            field: None,
        }
    }

    /// The same location at 1-based `line`.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same location naming `field`.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            wrote = true;
        }
        if let Some(line) = self.line {
            if wrote {
                write!(f, ":")?;
            }
            write!(f, "{line}")?;
            wrote = true;
        }
        if let Some(field) = &self.field {
            if wrote {
                write!(f, ": ")?;
            }
            write!(f, "field '{field}'")?;
        }
        Ok(())
    }
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input file or record is malformed or inconsistent.
    #[error("{location}: {message}")]
    Input {
        /// Where the problem is.
        location: Location,
        /// What was expected, in one sentence.
        message: String,
    },
    /// A problem model failed validation (an inconsistency between records).
    #[error("invalid problem: {0}")]
    Invalid(String),
    /// The road network has no path where one is required.
    #[error("routing: {0}")]
    Routing(String),
    /// A bug or an impossible state; please report it.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An input error at `location`.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The same error, an input error now naming `path` as its file (a
    /// reader of text that did not know the file name).
    pub fn in_file(self, path: &std::path::Path) -> Error {
        match self {
            Error::Input { location, message } => Error::Input {
                location: Location {
                    file: Some(path.to_path_buf()),
                    ..location
                },
                message,
            },
            e => e,
        }
    }

    /// True for errors caused by the user's input (files, records, validation),
    /// as opposed to internal failures.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Error::Io { .. } | Error::Input { .. } | Error::Invalid(_)
        )
    }
}

/// The text of a panic's payload (the message of `panic!`, `assert!`, an
/// index out of bounds, ...).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_display_names_file_line_and_field() {
        let loc = Location::file("a.vrp").at_line(7).with_field("CAPACITY");
        assert_eq!(loc.to_string(), "a.vrp:7: field 'CAPACITY'");
        let e = Error::input(loc, "expected an integer, found 'x'");
        assert_eq!(
            e.to_string(),
            "a.vrp:7: field 'CAPACITY': expected an integer, found 'x'"
        );
    }
}
