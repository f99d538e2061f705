//! The README's command table is the one the command table generates
//! (`radar_engine::help::readme_table`). To refresh it after changing the
//! table or the messages files:
//! `UPDATE_README=1 cargo test -p radar-engine --test readme`.

use std::path::PathBuf;

const START: &str = "<!-- commands -->\n";
const END: &str = "<!-- /commands -->";

#[test]
fn readme_command_table_is_the_generated_one() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme.find(START).expect("README has <!-- commands -->") + START.len();
    let end = readme[start..]
        .find(END)
        .expect("README has <!-- /commands -->")
        + start;
    let generated = format!("{}\n", radar_engine::help::readme_table());
    if readme[start..end] == generated {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{generated}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    panic!(
        "README.md's command table differs from the command table; \
         run `UPDATE_README=1 cargo test -p radar-engine --test readme`"
    );
}
