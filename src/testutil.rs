//! Helpers shared by the unit tests of several modules.

/// Asserts that `r` is an error whose message contains every one of
/// `parts` (a file and line, a field, a hint), and returns the message.
#[track_caller]
pub(crate) fn assert_err<T: std::fmt::Debug, E: std::fmt::Display>(
    r: Result<T, E>,
    parts: &[&str],
) -> String {
    match r {
        Ok(v) => panic!("expected an error with {parts:?}, got Ok({v:?})"),
        Err(e) => assert_mentions(&e, parts),
    }
}

/// Asserts that the message of `e` contains every one of `parts`, and
/// returns it.
#[track_caller]
pub(crate) fn assert_mentions(e: &dyn std::fmt::Display, parts: &[&str]) -> String {
    let e = e.to_string();
    for p in parts {
        assert!(e.contains(p), "'{p}' is not in the error: {e}");
    }
    e
}
