//! `/help`: what Radar understands.

use crate::Lang;
use crate::messages::t;

pub fn help(lang: Lang) -> String {
    t!(lang, "help")
}
