//! Files attached to incidents and problems: how many, how large, and which kinds, judged by
//! their content rather than their name.

use super::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_FILES: i64 = 10;
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const NAME_MAX: usize = 200;

crate::string_enum! {
    pub enum FileKind { Jpg = "jpg", Png = "png", Pdf = "pdf", Txt = "txt", Docx = "docx" }
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Pdf => "application/pdf",
            FileKind::Txt => "text/plain; charset=utf-8",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// The names a file of this kind may end in.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Pdf => &["pdf"],
            FileKind::Txt => &["txt", "log"],
            FileKind::Docx => &["docx"],
        }
    }

    /// What the bytes are, if one of the accepted kinds.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(b"PK\x03\x04") {
            // A Word document is a zip archive whose directory names word/document.xml.
            let needle = b"word/document.xml";
            bytes
                .windows(needle.len())
                .any(|w| w == needle)
                .then_some(FileKind::Docx)
        } else if !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
            Some(FileKind::Txt)
        } else {
            None
        }
    }
}

/// Checks a file before it is stored: a sensible name, not empty, not too large, an accepted
/// kind by content, and a name that agrees with the content.
pub fn check(filename: &str, bytes: &[u8]) -> Result<(String, FileKind), AppError> {
    let name = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    super::resource::check_length("filename", &name, 1, NAME_MAX)?;
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "filename",
            "must not contain control characters",
        ));
    }
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "the file is empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::invalid(
            "file",
            format!(
                "is {} bytes; at most {} MB are accepted",
                bytes.len(),
                MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    let kind = FileKind::sniff(bytes).ok_or_else(|| {
        AppError::invalid("file", "is not a JPG, PNG, PDF, text or Word (DOCX) file")
    })?;
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&extension.as_str()) {
        return Err(AppError::invalid(
            "file",
            format!(
                "'{name}' holds {} content; name it .{}",
                kind.as_str().to_uppercase(),
                kind.extensions()[0]
            ),
        ));
    }
    Ok((name, kind))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    /// `incident` or `problem`.
    pub ticket: String,
    pub ticket_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploader: String,
    pub at: DateTime<Utc>,
}

impl Attachment {
    /// Where the console and the API serve its content.
    pub fn download_url(&self) -> String {
        format!("/v1/attachments/{}", self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_judged_by_content() {
        assert_eq!(
            FileKind::sniff(b"\xFF\xD8\xFF\xE0rest"),
            Some(FileKind::Jpg)
        );
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff(b"PK\x03\x04....word/document.xml...."),
            Some(FileKind::Docx)
        );
        assert_eq!(FileKind::sniff(b"PK\x03\x04 a plain zip"), None);
        assert_eq!(
            FileKind::sniff("log line ✓\n".as_bytes()),
            Some(FileKind::Txt)
        );
        assert_eq!(FileKind::sniff(b"MZ\x90\x00binary"), None);
    }

    #[test]
    fn names_must_agree_with_content_and_size_is_bounded() {
        assert_eq!(
            check("C:\\shots\\graph.PNG", b"\x89PNG\r\n\x1a\nxx").unwrap(),
            ("graph.PNG".to_owned(), FileKind::Png)
        );
        let e = check("evil.pdf", b"MZ\x90\x00\x00").unwrap_err();
        assert_eq!(e.field(), Some("file"));
        let e = check("notes.png", b"just text").unwrap_err();
        assert!(e.to_string().contains("name it .txt"), "{e}");
        assert!(check("empty.txt", b"").is_err());
        assert!(check("big.txt", &vec![b'a'; MAX_BYTES + 1]).is_err());
        assert!(check("edge.txt", &vec![b'a'; MAX_BYTES]).is_ok());
        assert_eq!(check("", b"x").unwrap_err().field(), Some("filename"));
    }
}
