//! `string_enum!`: the one way a closed set of names (roles, states, types) is declared, with
//! its wire spelling, parsing, listing and display.

/// Declares an enum whose variants travel as fixed strings:
/// `string_enum! { pub enum Color { Red = "red", Blue = "blue" } }` gives `ALL`, `as_str`,
/// `parse` (an `Option`), `parse_field` (a 422 naming the field and the allowed values),
/// `Display`, serde and (on the server) an OpenAPI schema.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Parses the value of form or query field `field`; anything else is a 422.
            pub fn parse_field(field: &str, s: &str) -> Result<$name, $crate::domain::AppError> {
                Self::parse(s).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::domain::AppError::invalid(
                        field,
                        format!("must be one of {}", allowed.join(", ")),
                    )
                })
            }

            /// Parses an optional form or query field: absent or blank is `None`.
            pub fn parse_given(
                field: &str,
                s: Option<String>,
            ) -> Result<Option<$name>, $crate::domain::AppError> {
                s.filter(|v| !v.trim().is_empty())
                    .map(|v| Self::parse_field(field, &v))
                    .transpose()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::domain::enums::Named for $name {
            fn wire(self) -> &'static str {
                self.as_str()
            }
        }

        // Written by hand rather than derived: the schema lists exactly the wire strings.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::domain::enums::string_schema(&[$($text),+])
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

/// A value of a `string_enum!`, by its wire name: what generic code (the ticket kernel) needs
/// of states and actions.
pub trait Named: Copy + PartialEq + std::fmt::Display + Send + Sync + 'static {
    fn wire(self) -> &'static str;
}

/// The OpenAPI schema of a `string_enum!`: a string that is one of `values`.
#[cfg(feature = "ssr")]
pub fn string_schema(values: &[&str]) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .enum_values(Some(values.iter().copied()))
        .into()
}

#[cfg(test)]
mod tests {
    crate::string_enum! {
        pub enum Color { Red = "red", LightBlue = "light_blue" }
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused_by_field() {
        for c in Color::ALL {
            assert_eq!(Color::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_string(c).unwrap(), format!("\"{c}\""));
        }
        assert_eq!(Color::parse("Red"), None);
        let e = Color::parse_field("color", "green").unwrap_err();
        assert_eq!(e.to_string(), "color: must be one of red, light_blue");
        assert_eq!(Color::parse_given("color", None).unwrap(), None);
        assert_eq!(Color::parse_given("color", Some(" ".into())).unwrap(), None);
        assert_eq!(
            Color::parse_given("color", Some("red".into())).unwrap(),
            Some(Color::Red)
        );
        assert!(Color::parse_given("color", Some("green".into())).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_schema_lists_the_wire_strings() {
        use utoipa::{PartialSchema, ToSchema};
        let schema = serde_json::to_value(Color::schema()).unwrap();
        assert_eq!(
            schema,
            serde_json::json!({"type": "string", "enum": ["red", "light_blue"]})
        );
        assert_eq!(Color::name(), "Color");
    }
}
