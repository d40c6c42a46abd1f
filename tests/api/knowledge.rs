//! Issue 6: the knowledge base.

mod embedder;
