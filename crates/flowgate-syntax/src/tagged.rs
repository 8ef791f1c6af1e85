//! `tagged_enum!`: internally tagged enums that keep exact spans.

/// Declare an internally tagged enum (`{ type: send_email, ... }`) whose variants each wrap
/// one struct.
///
/// serde's own `#[serde(tag = "...")]` buffers the content and loses spans, so this macro
/// derives `Serialize` and `schemars::JsonSchema` in the usual internally tagged form, and
/// writes a `Deserialize` that asks [`from_node`](crate::from_node) for the tag directly: the
/// tag value picks the variant (an unknown one is reported at the tag value, listing the
/// known ones), and the variant's struct is read from the same map with the tag key skipped,
/// so its `deny_unknown_fields` and spans work as for any struct.
///
/// The enum can only be deserialized through [`from_node`](crate::from_node) (other
/// deserializers see an externally tagged enum). The macro's expansion refers to the crate
/// as `flowgate_syntax`; it needs no direct dependency on `serde` or `schemars`.
///
/// ```
/// #[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
/// #[serde(deny_unknown_fields)]
/// pub struct WaitStep { pub seconds: u32 }
///
/// flowgate_syntax::tagged_enum! {
///     /// One step of a workflow.
///     #[derive(Debug, Clone, PartialEq)]
///     pub enum StepWire, tag = "type" {
///         /// Wait a while.
///         Wait = "wait" (WaitStep),
///     }
/// }
///
/// let src = "type: wait\nseconds: 5\n";
/// let doc = &flowgate_syntax::parse_yaml(src).docs[0];
/// let step: StepWire = flowgate_syntax::from_node(doc, src, &[]).unwrap();
/// assert_eq!(step, StepWire::Wait(WaitStep { seconds: 5 }));
/// assert_eq!(StepWire::TAGS, ["wait"]);
/// ```
#[macro_export]
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident, tag = $tag:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $vtag:literal ($inner:ty)
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            $crate::__private::serde::Serialize,
            $crate::__private::schemars::JsonSchema
        )]
        #[serde(crate = "flowgate_syntax::__private::serde", tag = $tag)]
        #[schemars(crate = "flowgate_syntax::__private::schemars")]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $vtag)]
                $variant($inner),
            )+
        }

        impl $name {
            #[doc = "The tag values of the variants, in declaration order."]
            #[allow(dead_code)]
            $vis const TAGS: &'static [&'static str] = &[$($vtag),+];
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                struct TagVisitor;

                impl<'de> $crate::__private::serde::de::Visitor<'de> for TagVisitor {
                    type Value = $name;

                    fn expecting(
                        &self,
                        f: &mut ::core::fmt::Formatter<'_>,
                    ) -> ::core::fmt::Result {
                        f.write_str(::core::concat!("a map with a `", $tag, "` key"))
                    }

                    fn visit_enum<A>(self, data: A) -> ::core::result::Result<$name, A::Error>
                    where
                        A: $crate::__private::serde::de::EnumAccess<'de>,
                    {
                        let (tag, variant): (
                            $crate::__private::String,
                            A::Variant,
                        ) = $crate::__private::serde::de::EnumAccess::variant(data)?;
                        match tag.as_str() {
                            $(
                                $vtag => $crate::__private::serde::de::VariantAccess::newtype_variant::<$inner>(variant)
                                    .map($name::$variant),
                            )+
                            other => ::core::result::Result::Err(
                                <A::Error as $crate::__private::serde::de::Error>::unknown_variant(
                                    other,
                                    $name::TAGS,
                                ),
                            ),
                        }
                    }
                }

                deserializer.deserialize_enum(
                    ::core::concat!("$__flowgate_tag:", $tag),
                    $name::TAGS,
                    TagVisitor,
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Email {
        pub to: String,
        pub template: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct Wait {
        pub seconds: u32,
    }

    crate::tagged_enum! {
        /// A step.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Step, tag = "type" {
            /// Send an email.
            SendEmail = "send_email" (Email),
            /// Wait.
            Wait = "wait" (Wait),
        }
    }

    #[test]
    fn serializes_internally_tagged() {
        let step = Step::Wait(Wait { seconds: 3 });
        assert_eq!(
            serde_json::to_string(&step).unwrap(),
            r#"{"type":"wait","seconds":3}"#
        );
        assert_eq!(Step::TAGS, ["send_email", "wait"]);
    }

    #[test]
    fn schema_is_internally_tagged() {
        let schema = schemars::schema_for!(Step);
        let text = serde_json::to_string(&schema).unwrap();
        assert!(text.contains("\"send_email\""), "{text}");
        assert!(text.contains("\"type\""), "{text}");
    }
}
