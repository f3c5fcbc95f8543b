//! `Display` and `Debug` of references, composed from their parts.

use std::fmt;

use super::{Reference, ReferenceBuf};

impl fmt::Display for Reference<'_> {
    /// Writes the reference from its parts; for a parsed reference this equals the input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(domain) = self.domain() {
            f.write_str(domain)?;
            f.write_str("/")?;
        }
        f.write_str(self.path())?;
        if let Some(tag) = self.tag() {
            f.write_str(":")?;
            f.write_str(tag)?;
        }
        if let Some(digest) = self.digest() {
            f.write_str("@")?;
            f.write_str(digest)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Reference<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reference")
            .field("domain", &self.domain())
            .field("path", &self.path())
            .field("tag", &self.tag())
            .field("digest", &self.digest())
            .finish()
    }
}

impl fmt::Display for ReferenceBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_ref(), f)
    }
}

impl fmt::Debug for ReferenceBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_ref(), f)
    }
}
