//! The statuses: [`imgrepl_status`], the result of every fallible function, with the name and
//! the message of each (the exports that hand them to C are in [`crate::strings`]).

/// The result of every fallible function. `IMGREPL_STATUS_OK` is 0.
///
/// Codes are never renumbered; a retired code stays reserved. Functions that take a status
/// as an argument take it as `uint32_t`, so any number is safe to pass.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum imgrepl_status {
    /// Success: the out-parameters are written.
    IMGREPL_STATUS_OK = 0,
    /// A required pointer was NULL, or a `(NULL, n)` string or array had `n > 0`.
    IMGREPL_STATUS_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    IMGREPL_STATUS_INVALID_UTF8 = 2,
    /// An input was longer than its documented limit.
    IMGREPL_STATUS_INPUT_TOO_LARGE = 3,
    /// The caller's buffer was too small; the needed length was written to `*out_len`.
    IMGREPL_STATUS_BUFFER_TOO_SMALL = 4,
    /// An argument had a value outside its range (an unknown mode, an index past the end,
    /// lengths that do not add up).
    IMGREPL_STATUS_INVALID_ARGUMENT = 5,
    /// The policy is invalid; its diagnostics say why.
    IMGREPL_STATUS_INVALID_POLICY = 6,
    /// The image is not a valid reference; the error says where and why.
    IMGREPL_STATUS_INVALID_IMAGE = 7,
    /// A rule matched, but the rewritten image would not be a valid reference.
    IMGREPL_STATUS_INVALID_RESULT = 8,
    /// The Kubernetes object could not be read (not JSON, too deep, a bad policy annotation…).
    IMGREPL_STATUS_INVALID_WORKLOAD = 9,
    /// The `AdmissionReview` could not be read (not JSON, no request, no uid…).
    IMGREPL_STATUS_INVALID_REVIEW = 10,
    /// A bug in imgrepl: a panic was caught at the boundary. Nothing was written.
    IMGREPL_STATUS_PANIC = 100,
}

use imgrepl_status as S;

impl imgrepl_status {
    /// Every status, in number order (for the name and message tables and their tests).
    pub const ALL: [imgrepl_status; 12] = [
        S::IMGREPL_STATUS_OK,
        S::IMGREPL_STATUS_NULL_ARGUMENT,
        S::IMGREPL_STATUS_INVALID_UTF8,
        S::IMGREPL_STATUS_INPUT_TOO_LARGE,
        S::IMGREPL_STATUS_BUFFER_TOO_SMALL,
        S::IMGREPL_STATUS_INVALID_ARGUMENT,
        S::IMGREPL_STATUS_INVALID_POLICY,
        S::IMGREPL_STATUS_INVALID_IMAGE,
        S::IMGREPL_STATUS_INVALID_RESULT,
        S::IMGREPL_STATUS_INVALID_WORKLOAD,
        S::IMGREPL_STATUS_INVALID_REVIEW,
        S::IMGREPL_STATUS_PANIC,
    ];

    /// The status with number `n`, if there is one.
    #[must_use]
    pub fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as u32 == n)
    }

    /// The name as written in the header, NUL-terminated.
    pub(crate) const fn name_nul(self) -> &'static str {
        match self {
            S::IMGREPL_STATUS_OK => "IMGREPL_STATUS_OK\0",
            S::IMGREPL_STATUS_NULL_ARGUMENT => "IMGREPL_STATUS_NULL_ARGUMENT\0",
            S::IMGREPL_STATUS_INVALID_UTF8 => "IMGREPL_STATUS_INVALID_UTF8\0",
            S::IMGREPL_STATUS_INPUT_TOO_LARGE => "IMGREPL_STATUS_INPUT_TOO_LARGE\0",
            S::IMGREPL_STATUS_BUFFER_TOO_SMALL => "IMGREPL_STATUS_BUFFER_TOO_SMALL\0",
            S::IMGREPL_STATUS_INVALID_ARGUMENT => "IMGREPL_STATUS_INVALID_ARGUMENT\0",
            S::IMGREPL_STATUS_INVALID_POLICY => "IMGREPL_STATUS_INVALID_POLICY\0",
            S::IMGREPL_STATUS_INVALID_IMAGE => "IMGREPL_STATUS_INVALID_IMAGE\0",
            S::IMGREPL_STATUS_INVALID_RESULT => "IMGREPL_STATUS_INVALID_RESULT\0",
            S::IMGREPL_STATUS_INVALID_WORKLOAD => "IMGREPL_STATUS_INVALID_WORKLOAD\0",
            S::IMGREPL_STATUS_INVALID_REVIEW => "IMGREPL_STATUS_INVALID_REVIEW\0",
            S::IMGREPL_STATUS_PANIC => "IMGREPL_STATUS_PANIC\0",
        }
    }

    /// One sentence, NUL-terminated.
    pub(crate) const fn message_nul(self) -> &'static str {
        match self {
            S::IMGREPL_STATUS_OK => "success\0",
            S::IMGREPL_STATUS_NULL_ARGUMENT => "a required pointer argument was NULL\0",
            S::IMGREPL_STATUS_INVALID_UTF8 => "a string argument is not valid UTF-8\0",
            S::IMGREPL_STATUS_INPUT_TOO_LARGE => "an input is longer than its limit\0",
            S::IMGREPL_STATUS_BUFFER_TOO_SMALL => {
                "the output buffer is too small; the needed length was written\0"
            }
            S::IMGREPL_STATUS_INVALID_ARGUMENT => "an argument is out of its range\0",
            S::IMGREPL_STATUS_INVALID_POLICY => "the image replacement policy is invalid\0",
            S::IMGREPL_STATUS_INVALID_IMAGE => "the image is not a valid reference\0",
            S::IMGREPL_STATUS_INVALID_RESULT => {
                "the rewritten image would not be a valid reference\0"
            }
            S::IMGREPL_STATUS_INVALID_WORKLOAD => "the Kubernetes object cannot be read\0",
            S::IMGREPL_STATUS_INVALID_REVIEW => "the AdmissionReview cannot be read\0",
            S::IMGREPL_STATUS_PANIC => "internal error in imgrepl (a panic was caught)\0",
        }
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
