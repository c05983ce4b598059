//! View model of one form input for the `macros/forms.html` helpers: label,
//! the value the user typed, and the translated error beside the field.

use crate::error::FieldErrors;
use crate::i18n::{I18n, Lang};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Text,
    Email,
    Password,
    Tel,
    Date,
    Number,
    Search,
    Url,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Email => "email",
            InputKind::Password => "password",
            InputKind::Tel => "tel",
            InputKind::Date => "date",
            InputKind::Number => "number",
            InputKind::Search => "search",
            InputKind::Url => "url",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub label: String,
    pub kind: InputKind,
    /// What the user typed; never echoed for passwords.
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
    pub autocomplete: Option<&'static str>,
}

impl Field {
    /// A text input labelled with the message `label_key`.
    pub fn new(lang: Lang, name: &str, label_key: &str) -> Field {
        Field {
            name: name.to_owned(),
            label: I18n::global().t(lang, label_key),
            kind: InputKind::Text,
            value: String::new(),
            hint: None,
            error: None,
            required: false,
            autocomplete: None,
        }
    }

    pub fn kind(mut self, kind: InputKind) -> Field {
        self.kind = kind;
        if kind == InputKind::Password {
            self.value.clear();
        }
        self
    }

    pub fn value(mut self, value: impl Into<String>) -> Field {
        if self.kind != InputKind::Password {
            self.value = value.into();
        }
        self
    }

    pub fn hint(mut self, lang: Lang, hint_key: &str) -> Field {
        self.hint = Some(I18n::global().t(lang, hint_key));
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn autocomplete(mut self, token: &'static str) -> Field {
        self.autocomplete = Some(token);
        self
    }

    /// Takes this field's first error, translated, from a failed validation.
    pub fn errors_from(mut self, lang: Lang, errors: &FieldErrors) -> Field {
        self.error = errors.for_field(&self.name).map(|e| e.message(lang));
        self
    }

    pub fn input_id(&self) -> String {
        format!("field-{}", self.name)
    }

    pub fn hint_id(&self) -> String {
        format!("field-{}-hint", self.name)
    }

    pub fn error_id(&self) -> String {
        format!("field-{}-error", self.name)
    }

    /// Ids for `aria-describedby`: the hint, then the error; empty if neither.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(self.hint_id());
        }
        if self.error.is_some() {
            ids.push(self.error_id());
        }
        ids.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;
    use crate::error::FieldError;

    #[derive(Template)]
    #[template(
        source = r#"{% import "macros/forms.html" as forms %}{% call forms::input(field) %}{% endcall %}"#,
        ext = "html"
    )]
    struct OneField {
        field: Field,
    }

    fn render(field: Field) -> String {
        OneField { field }.render().unwrap()
    }

    #[test]
    fn rejected_field_keeps_the_value_and_explains_the_error() {
        let mut errors = FieldErrors::new();
        errors.add(FieldError::new("name", "too_long").with_arg("max", 5));
        let html = render(
            Field::new(Lang::Ar, "name", "site-name")
                .value("<b>أحمد</b> Smith")
                .hint(Lang::Ar, "home-lead")
                .required()
                .errors_from(Lang::Ar, &errors),
        );
        assert!(
            html.contains(r#"<label for="field-name">سفير</label>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"value="&#60;b&#62;أحمد&#60;/b&#62; Smith""#),
            "{html}"
        );
        assert!(html.contains(r#"dir="auto""#));
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains(r#"aria-describedby="field-name-hint field-name-error""#));
        assert!(
            html.contains(
                r#"<p class="field-error" id="field-name-error">أدخل 5 أحرف على الأكثر.</p>"#
            ),
            "{html}"
        );
    }

    #[test]
    fn valid_field_is_not_marked_invalid_and_passwords_are_not_echoed() {
        let html = render(
            Field::new(Lang::En, "password", "site-name")
                .kind(InputKind::Password)
                .value("hunter2")
                .autocomplete("current-password"),
        );
        assert!(!html.contains("hunter2"));
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains("aria-describedby"));
        assert!(
            html.contains(r#"type="password""#)
                && html.contains(r#"autocomplete="current-password""#)
        );
    }
}
