//! `sqlx::migrate!` embeds the migration files at compile time; `include_str!` notices edits to
//! files it already knows but not a newly added migration, so rebuild when the folder changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
