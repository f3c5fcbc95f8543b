//! The one helper for the error types of this crate and of `imgrepl-k8s`: each is
//! `std::error::Error`, and serializes as `{"code", "message", …}` (its code, its `Display`, then
//! its own fields, in that order, whatever `serde_json` features are enabled).

/// Implements `std::error::Error` and `Serialize` as `{"code", "message", …fields}` for an error
/// type with a `code()` method and a `Display`; with `= message`, also its `Display` from its
/// `message` field. Each field is a JSON key and an expression of the error (`|e| &e.path`).
///
/// Shared with `imgrepl-k8s`; not part of the public API.
#[doc(hidden)]
#[macro_export]
macro_rules! coded_error {
    ($ty:ident = message { $($key:literal: |$e:ident| $value:expr),* $(,)? }) => {
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.message)
            }
        }
        $crate::coded_error!($ty { $($key: |$e| $value),* });
    };
    ($ty:ident { $($key:literal: |$e:ident| $value:expr),* $(,)? }) => {
        impl ::std::error::Error for $ty {}

        impl $crate::__private::serde::Serialize for $ty {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                use $crate::__private::serde::ser::SerializeStruct as _;
                let fields = <[&str]>::len(&[$($key),*]);
                let mut s = serializer.serialize_struct(stringify!($ty), 2 + fields)?;
                s.serialize_field("code", &self.code())?;
                s.serialize_field("message", &$crate::__private::DisplayStr(self))?;
                $({
                    let $e = self;
                    s.serialize_field($key, $value)?;
                })*
                s.end()
            }
        }
    };
}

/// A `Display` serialized as the string it writes, without an intermediate `String` where the
/// serializer can write it directly (`serde_json` does).
#[doc(hidden)]
pub struct DisplayStr<'a, T: ?Sized>(pub &'a T);

impl<T: std::fmt::Display + ?Sized> serde::Serialize for DisplayStr<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}
