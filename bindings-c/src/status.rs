//! The statuses: [`imgrepl_status`], the result of every fallible function, with the name and
//! the message of each (the exports that hand them to C are in [`crate::strings`]).

/// Writes, from one list, the status enum and what goes with it: [`imgrepl_status::ALL`],
/// each status's name and message, and [`imgrepl_status::declaration`], the enum's Rust
/// source (cbindgen does not expand macros: the header test hands it this source, and
/// `cargo xtask gen` writes the Go package's constants from the same list).
macro_rules! statuses {
    (
        $(#[doc = $doc:literal])*
        pub enum imgrepl_status {
            $( $(#[doc = $vdoc:literal])* $name:ident = $value:literal => $message:literal, )*
        }
    ) => {
        $(#[doc = $doc])*
        #[repr(C)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum imgrepl_status {
            $( $(#[doc = $vdoc])* $name = $value, )*
        }

        impl imgrepl_status {
            /// Every status, in number order (for the name and message tables and their tests).
            pub const ALL: [imgrepl_status; [$(stringify!($name)),*].len()] =
                [$(imgrepl_status::$name),*];

            /// The name as written in the header, NUL-terminated.
            pub(crate) const fn name_nul(self) -> &'static str {
                match self {
                    $(imgrepl_status::$name => concat!(stringify!($name), "\0"),)*
                }
            }

            /// One sentence, NUL-terminated.
            pub(crate) const fn message_nul(self) -> &'static str {
                match self {
                    $(imgrepl_status::$name => concat!($message, "\0"),)*
                }
            }

            /// The enum as Rust source, with its documentation: what cbindgen reads to write
            /// the header's `imgrepl_status` (the macro hides the enum from it).
            #[doc(hidden)]
            #[must_use]
            pub const fn declaration() -> &'static str {
                stringify!(
                    $(#[doc = $doc])*
                    #[repr(C)]
                    pub enum imgrepl_status {
                        $( $(#[doc = $vdoc])* $name = $value, )*
                    }
                )
            }
        }
    };
}

statuses! {
    /// The result of every fallible function. `IMGREPL_STATUS_OK` is 0.
    ///
    /// Codes are never renumbered; a retired code stays reserved. Functions that take a status
    /// as an argument take it as `uint32_t`, so any number is safe to pass.
    pub enum imgrepl_status {
        /// Success: the out-parameters are written.
        IMGREPL_STATUS_OK = 0 => "success",
        /// A required pointer was NULL, or a `(NULL, n)` string or array had `n > 0`.
        IMGREPL_STATUS_NULL_ARGUMENT = 1 => "a required pointer argument was NULL",
        /// A string argument was not valid UTF-8.
        IMGREPL_STATUS_INVALID_UTF8 = 2 => "a string argument is not valid UTF-8",
        /// An input was longer than its documented limit.
        IMGREPL_STATUS_INPUT_TOO_LARGE = 3 => "an input is longer than its limit",
        /// The caller's buffer was too small; the needed length was written to `*out_len`.
        IMGREPL_STATUS_BUFFER_TOO_SMALL = 4 =>
            "the output buffer is too small; the needed length was written",
        /// An argument had a value outside its range (an unknown mode, an index past the end,
        /// lengths that do not add up).
        IMGREPL_STATUS_INVALID_ARGUMENT = 5 => "an argument is out of its range",
        /// The policy is invalid; its diagnostics say why.
        IMGREPL_STATUS_INVALID_POLICY = 6 => "the image replacement policy is invalid",
        /// The image is not a valid reference; the error says where and why.
        IMGREPL_STATUS_INVALID_IMAGE = 7 => "the image is not a valid reference",
        /// A rule matched, but the rewritten image would not be a valid reference.
        IMGREPL_STATUS_INVALID_RESULT = 8 => "the rewritten image would not be a valid reference",
        /// The Kubernetes object could not be read (not JSON, too deep, a bad policy annotation…).
        IMGREPL_STATUS_INVALID_WORKLOAD = 9 => "the Kubernetes object cannot be read",
        /// The `AdmissionReview` could not be read (not JSON, no request, no uid…).
        IMGREPL_STATUS_INVALID_REVIEW = 10 => "the AdmissionReview cannot be read",
        /// A bug in imgrepl: a panic was caught at the boundary. Nothing was written.
        IMGREPL_STATUS_PANIC = 100 => "internal error in imgrepl (a panic was caught)",
    }
}

impl imgrepl_status {
    /// The status with number `n`, if there is one.
    #[must_use]
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u32 == n)
    }

    /// The name without its NUL (`IMGREPL_STATUS_OK`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.name_nul().trim_end_matches('\0')
    }

    /// The message without its NUL.
    #[must_use]
    pub fn message(self) -> &'static str {
        self.message_nul().trim_end_matches('\0')
    }
}
