//! Caps on what a business system says about its customers — the display name and the free-form
//! attributes agents see — wherever it comes from (an identity token's claims, an integrator's
//! `customer` object). Checks only: callers wrap the message in their own error.

use serde_json::{Map, Value};

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Most attribute keys.
pub const MAX_ATTR_KEYS: usize = 50;
/// Longest attribute key, in characters.
pub const MAX_KEY_CHARS: usize = 64;
/// Longest string anywhere inside an attribute value, in characters.
pub const MAX_VALUE_CHARS: usize = 1024;
/// Largest attributes object, as JSON.
pub const MAX_ATTR_BYTES: usize = 8192;

/// A display name within the cap; `field` names it in the message.
pub fn check_name(field: &str, name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("{field}: at most {MAX_NAME_CHARS} characters"));
    }
    Ok(())
}

/// Attributes within the caps; `field` names them in the message, with the offending key.
pub fn check_attributes(field: &str, attrs: &Map<String, Value>) -> Result<(), String> {
    if attrs.len() > MAX_ATTR_KEYS {
        return Err(format!("{field}: at most {MAX_ATTR_KEYS} keys ({} given)", attrs.len()));
    }
    for (key, value) in attrs {
        if key.chars().count() > MAX_KEY_CHARS {
            return Err(format!("{field}: keys are at most {MAX_KEY_CHARS} characters"));
        }
        if longest_string(value) > MAX_VALUE_CHARS {
            return Err(format!("{field}.{key}: text values are at most {MAX_VALUE_CHARS} characters"));
        }
    }
    if Value::Object(attrs.clone()).to_string().len() > MAX_ATTR_BYTES {
        return Err(format!("{field}: at most 8 KiB as JSON"));
    }
    Ok(())
}

/// The longest string (or key) anywhere inside a value, in characters.
fn longest_string(value: &Value) -> usize {
    match value {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.iter().map(longest_string).max().unwrap_or(0),
        Value::Object(map) => map.iter().map(|(k, v)| k.chars().count().max(longest_string(v))).max().unwrap_or(0),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn names_and_attributes_are_capped_and_the_message_names_the_field() {
        assert!(check_name("name", &"名".repeat(64)).is_ok());
        assert_eq!(check_name("name", &"名".repeat(65)).unwrap_err(), "name: at most 64 characters");
        assert!(check_attributes("attrs", &attrs(json!({ "tier": "钻石卡", "n": 3, "tags": ["a"] }))).is_ok());
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(check_attributes("attrs", &many).unwrap_err().starts_with("attrs: at most 50 keys"));
        let long_key = attrs(json!({ "k".repeat(65): 1 }));
        assert!(check_attributes("attrs", &long_key).unwrap_err().starts_with("attrs: keys"));
        let long_value = attrs(json!({ "note": { "deep": ["x".repeat(1025)] } }));
        assert!(check_attributes("attrs", &long_value).unwrap_err().starts_with("attrs.note:"));
        let big: Map<String, Value> = (0..10).map(|i| (format!("k{i}"), json!("x".repeat(1000)))).collect();
        assert!(check_attributes("attrs", &big).unwrap_err().contains("8 KiB"));
    }
}
