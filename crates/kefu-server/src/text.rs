//! Text that can deceive: bidirectional overrides and invisible characters removed from what
//! people read as names (visitor names, topics, pre-chat answers, file names), and file names
//! shown with the extension of what the file really is. Messages keep emoji and normal text;
//! only the controls that reorder or hide what an agent reads are taken out of them.

/// Characters that reorder text (bidi embeddings, overrides, isolates) — the "Trojan Source"
/// trick that shows `exe.pdf` as `fdp.exe`.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing (or as blank) and let two different names look the same.
/// The zero-width joiner stays: emoji sequences (family, professions, flags) need it.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' // soft hyphen
            | '\u{034F}' // combining grapheme joiner
            | '\u{061C}' // Arabic letter mark
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' // Hangul fillers (blank "names")
            | '\u{180E}' // Mongolian vowel separator
            | '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' // zero width space/non-joiner, LRM, RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{206A}'..='\u{206F}' // deprecated format characters
            | '\u{FEFF}' // byte order mark
            | '\u{FFF9}'..='\u{FFFB}' // interlinear annotation
            | '\u{E0000}'..='\u{E007F}' // tag characters (hidden ASCII)
    )
}

/// A one-line name as people should read it: no controls, no reordering, no invisible
/// characters, whitespace runs as single spaces, trimmed.
pub fn clean_line(s: &str) -> String {
    let kept: String = s.chars().filter(|&c| !(c.is_control() || reorders(c) || invisible(c))).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message's text: line breaks and tabs stay, other controls and reordering characters go.
pub fn clean_message(s: &str) -> String {
    s.chars().filter(|&c| !((c.is_control() && c != '\n' && c != '\t') || reorders(c))).collect()
}

/// Extensions that honestly name each type we accept, the first one canonical.
fn extensions(mime: &str) -> &'static [&'static str] {
    match mime {
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "application/pdf" => &["pdf"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        m if m.starts_with("text/plain") => &["txt"],
        _ => &[],
    }
}

/// A file name to show: cleaned, without path separators, at most 120 characters, and ending in
/// the extension of the type found in the bytes (`invoice.exe` that is a PDF shows as
/// `invoice.exe.pdf`).
pub fn file_name(name: &str, mime: &str) -> String {
    let base: String = clean_line(name).chars().filter(|c| !matches!(c, '/' | '\\')).collect();
    let base = if base.trim_matches('.').is_empty() { "file".to_string() } else { base };
    let exts = extensions(mime);
    let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let honest = exts.is_empty() || ext.as_deref().is_some_and(|e| exts.contains(&e));
    let suffix = if honest { String::new() } else { format!(".{}", exts[0]) };
    let room = 120usize.saturating_sub(suffix.chars().count());
    let mut shown: String = base.chars().take(room).collect();
    shown.push_str(&suffix);
    shown
}

/// The languages the UIs ship in; per-language texts (business-type names, welcome messages) are
/// keyed by these.
pub const LOCALES: [&str; 2] = ["zh-CN", "en"];

/// Per-language texts an admin typed, checked: only [`LOCALES`] as keys, each text cleaned with
/// `clean`, blank ones dropped (that language then falls back), at most `max` characters each.
/// The error names the field and the locale at fault.
pub fn localized(
    field: &str,
    texts: std::collections::BTreeMap<String, String>,
    max: usize,
    clean: fn(&str) -> String,
) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut out = std::collections::BTreeMap::new();
    for (locale, text) in texts {
        if !LOCALES.contains(&locale.as_str()) {
            return Err(format!("{field}: unknown language {locale:?}; use {}", LOCALES.join(" or ")));
        }
        let text = clean(&text).trim().to_string();
        if text.chars().count() > max {
            return Err(format!("{field}.{locale}: at most {max} characters"));
        }
        if !text.is_empty() {
            out.insert(locale, text);
        }
    }
    Ok(out)
}

/// A stored JSON object of per-language texts; anything unreadable counts as none.
pub fn stored_localized(json: &str) -> std::collections::BTreeMap<String, String> {
    serde_json::from_str(json).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reordering_and_invisible_characters_are_removed_from_names() {
        assert_eq!(clean_line("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_line(" 张\u{200B}三\u{2066} \t 先生 "), "张三 先生");
        assert_eq!(clean_line("\u{3164}\u{115F}"), "");
        assert_eq!(clean_line("Ann\u{E0041}\u{E0042}"), "Ann");
    }

    #[test]
    fn messages_keep_emoji_lines_and_text() {
        let family = "一家人 👨\u{200D}👩\u{200D}👧 来了\n第二行\t好";
        assert_eq!(clean_message(family), family);
        assert_eq!(clean_message("abc\u{202E}def\u{0007}"), "abcdef");
    }

    #[test]
    fn file_names_show_the_real_extension() {
        assert_eq!(file_name("report.PDF", "application/pdf"), "report.PDF");
        assert_eq!(file_name("photo.jpeg", "image/jpeg"), "photo.jpeg");
        assert_eq!(file_name("invoice\u{202E}fdp.exe", "application/pdf"), "invoicefdp.exe.pdf");
        assert_eq!(file_name("../../etc/passwd", "text/plain; charset=utf-8"), "....etcpasswd.txt");
        assert_eq!(file_name("\u{200B}", "image/png"), "file.png");
        assert_eq!(file_name(&"a".repeat(300), "image/png").chars().count(), 120);
    }

    proptest! {
        #[test]
        fn cleaned_names_hold_no_control_reordering_or_invisible_character(s in "\\PC*|[\u{202A}-\u{202E}\u{2066}-\u{2069}\u{200B}a-z ]*") {
            let c = clean_line(&s);
            prop_assert!(!c.chars().any(|c| c.is_control() || reorders(c) || invisible(c)));
            prop_assert_eq!(clean_line(&c), c.clone(), "cleaning is idempotent");
            let f = file_name(&s, "image/png");
            prop_assert!(f.ends_with(".png") && f.chars().count() <= 120);
        }
    }

    #[test]
    fn localized_texts_keep_known_languages_and_drop_blanks() {
        let texts = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let ok = localized("names", texts(&[("zh-CN", " 信用卡 "), ("en", "  ")]), 64, clean_line).unwrap();
        assert_eq!(ok.into_iter().collect::<Vec<_>>(), vec![("zh-CN".to_string(), "信用卡".to_string())]);
        assert!(localized("names", texts(&[("fr", "Cartes")]), 64, clean_line).unwrap_err().contains("fr"));
        assert_eq!(localized("names", texts(&[("en", "abcd")]), 3, clean_line).unwrap_err(), "names.en: at most 3 characters");
        assert!(stored_localized("not json").is_empty());
    }
}
