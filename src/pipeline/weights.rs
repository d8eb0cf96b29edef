//! The tab-separated tables the linear models ship in: comment lines (`#`), a header line
//! naming the columns (`#types`, `#roles`), then one row per feature or intercept, a weight per
//! column. Sorted rows make a retrained model a reviewable diff.

use std::fmt::Write as _;

/// A model file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("model line {line}: {message}")]
pub struct ModelError {
    line: usize,
    message: String,
}

/// Calls `row` with each row of a table whose header line `header` must name `columns`.
pub fn read<'a, const K: usize>(
    text: &'a str,
    header: &str,
    columns: &[&str; K],
    mut row: impl FnMut(&'a str, [f32; K]),
) -> Result<(), ModelError> {
    for (i, line) in text.lines().enumerate() {
        let error = |message: String| ModelError { line: i + 1, message };
        let mut fields = line.split('\t');
        let key = fields.next().unwrap_or_default();
        if key == header {
            let names: Vec<&str> = fields.collect();
            if names != columns {
                return Err(error(format!("columns {names:?}, expected {columns:?}")));
            }
        } else if !key.is_empty() && !key.starts_with('#') {
            let values: Vec<f32> =
                fields.map(str::parse).collect::<Result<_, _>>().map_err(|e| error(format!("{e}")))?;
            let weights: [f32; K] =
                values.try_into().map_err(|v: Vec<f32>| error(format!("{} weights, expected {K}", v.len())))?;
            row(key, weights);
        }
    }
    Ok(())
}

/// Writes a table's title comment and header line.
pub fn write_header<const K: usize>(out: &mut String, title: &str, header: &str, columns: &[&str; K]) {
    let _ = writeln!(out, "# {title}; do not edit by hand.");
    out.push_str(header);
    for c in columns {
        let _ = write!(out, "\t{c}");
    }
    out.push('\n');
}

/// Writes one row.
pub fn write_row<const K: usize>(out: &mut String, key: &str, weights: &[f32; K]) {
    out.push_str(key);
    for w in weights {
        let _ = write!(out, "\t{w:.4}");
    }
    out.push('\n');
}

/// Writes the feature rows of `weights`, sorted so that retraining gives reviewable diffs.
pub fn write_features<const K: usize, S: std::hash::BuildHasher>(
    out: &mut String,
    weights: &std::collections::HashMap<String, [f32; K], S>,
) {
    let mut keys: Vec<&String> = weights.keys().collect();
    keys.sort();
    for k in keys {
        write_row(out, k, &weights[k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_and_bad_rows_name_their_line() {
        let mut out = String::new();
        write_header(&mut out, "A test table", "#cols", &["A", "B"]);
        write_row(&mut out, "bias", &[0.5, -1.25]);
        let mut rows = Vec::new();
        read(&out, "#cols", &["A", "B"], |k, w| rows.push((k, w))).expect("reads");
        assert_eq!(rows, [("bias", [0.5, -1.25])]);
        let wrong_columns = read(&out, "#cols", &["A", "C"], |_, _: [f32; 2]| {}).expect_err("other columns");
        assert_eq!(wrong_columns.line, 2);
        let short = read("#cols\tA\tB\nx\t1.0\n", "#cols", &["A", "B"], |_, _| {}).expect_err("one weight");
        assert!(short.to_string().contains("line 2") && short.to_string().contains("1 weights"), "{short}");
        let not_a_number = read("x\tone\ttwo\n", "#cols", &["A", "B"], |_, _| {}).expect_err("words");
        assert_eq!(not_a_number.line, 1);
    }
}
