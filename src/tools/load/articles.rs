//! The texts the bench sends: JSONL with a "text" field per line, or a directory of `.txt`.

use std::path::Path;

use super::LoadError;
use crate::{cli::input, pb};

/// The texts of `path`, without blank ones.
pub(crate) fn load(path: &Path) -> Result<Vec<String>, LoadError> {
    let unreadable = |source| LoadError::Articles { path: path.to_path_buf(), source };
    let texts: Vec<String> = if path.is_dir() {
        input::records(path, &Default::default())
            .map_err(|e| unreadable(std::io::Error::other(e)))?
            .filter_map(|record| record.ok().map(|article| article.text))
            .collect()
    } else {
        std::fs::read_to_string(path)
            .map_err(unreadable)?
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter_map(|record| record.get("text")?.as_str().map(str::to_string))
            .collect()
    };
    let texts: Vec<String> = texts.into_iter().filter(|t| !t.trim().is_empty()).collect();
    if texts.is_empty() {
        return Err(LoadError::NoArticles { path: path.to_path_buf() });
    }
    Ok(texts)
}

/// The `n`th request of a run: the texts in turn, each with its own id.
pub(crate) fn request(texts: &[String], n: usize) -> pb::EnrichRequest {
    let article = pb::Article { id: n.to_string(), text: texts[n % texts.len()].clone(), ..Default::default() };
    pb::EnrichRequest { article: Some(article), include_clean_text: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_texts_and_txt_directories() {
        let dir = tempfile::tempdir().expect("temp dir");
        let jsonl = dir.path().join("a.jsonl");
        std::fs::write(&jsonl, "{\"id\": 1, \"text\": \"one\"}\nnot json\n{\"text\": \"  \"}\n{\"text\": \"two\"}\n")
            .expect("written");
        assert_eq!(load(&jsonl).expect("loads"), ["one", "two"]);
        let txt = dir.path().join("txt");
        std::fs::create_dir(&txt).expect("created");
        std::fs::write(txt.join("x.txt"), "three").expect("written");
        assert_eq!(load(&txt).expect("loads"), ["three"]);
        assert!(matches!(load(&dir.path().join("none")), Err(LoadError::Articles { .. })));
        std::fs::write(&jsonl, "{}\n").expect("written");
        assert!(matches!(load(&jsonl), Err(LoadError::NoArticles { .. })));
        let r = request(&["a".into(), "b".into()], 3);
        assert_eq!(r.article.map(|a| (a.id, a.text)), Some(("3".into(), "b".into())));
    }
}
