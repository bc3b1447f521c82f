//! Which language a message is scored in: Chinese when its Han characters are at least as many
//! as its Latin words ("iPhone 屏幕坏了" is Chinese), else English (also for emoji-only text,
//! which VADER reads).

/// A language Kefu scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Chinese (简体 or 繁體: jieba's dictionary has both).
    Zh,
    /// English, and anything else written in Latin letters.
    En,
}

impl Lang {
    /// The stored form: `zh` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Whether `c` is a Han character (CJK unified ideographs, their extensions, compatibility).
pub(crate) fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The language of `text`.
pub fn detect(text: &str) -> Lang {
    let mut han = 0usize;
    let mut words = 0usize;
    let mut in_word = false;
    for c in text.chars() {
        if is_han(c) {
            han += 1;
            in_word = false;
        } else if c.is_ascii_alphabetic() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    if han > 0 && han >= words {
        Lang::Zh
    } else {
        Lang::En
    }
}
