//! The shape of `src/`, read as text, the generator (`gen`) aside: no
//! import circle between the top-level modules, no function over 120 lines.
//!
//! A file of module A that mentions `crate::B` (or `super::B` climbing to
//! the crate root) depends on B, tests and comments included: a circle
//! that only a test closes still ties the modules together for whoever
//! reads or splits them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules left out of the check: the generator builds whole worlds from
/// every part of the engine's vocabulary.
const EXEMPT: &[&str] = &["gen"];

/// Module → the modules it mentions, each with the files that do.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to and how many `super::`
/// lead from it to the crate root; `None` for the crate roots themselves.
fn module_of(relative: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let first = parts[0].trim_end_matches(".rs").to_string();
    if parts.len() == 1 && (first == "lib" || first == "main") {
        return None;
    }
    // `a.rs` and `a/mod.rs` are `a`; `a/b.rs` and `a/b/mod.rs` are `a::b`.
    let mut depth = parts.len();
    if parts.last().is_some_and(|p| p == "mod.rs") {
        depth -= 1;
    }
    Some((first, depth))
}

/// The first identifier of `text`.
fn ident(text: &str) -> &str {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The names a path reaches right after `prefix`: `crate::a::X` gives `a`,
/// `crate::{a::X, b}` gives `a` and `b`.
fn names_after(text: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue; // `foo_crate::`, or a `super::` deeper than asked
        }
        let rest = &text[at + prefix.len()..];
        if rest.starts_with("super::") {
            continue; // climbs further than asked
        }
        let Some(group) = rest.strip_prefix('{') else {
            names.push(ident(rest).to_string());
            continue;
        };
        let (mut level, mut start) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => level += 1,
                '}' if level == 0 => {
                    names.push(ident(&group[start..i]).to_string());
                    break;
                }
                '}' => level -= 1,
                ',' if level == 0 => {
                    names.push(ident(&group[start..i]).to_string());
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    names
}

fn module_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_of(f.strip_prefix(src).unwrap()))
        .map(|(m, _)| m)
        .collect();
    let mut graph = Graph::new();
    for file in &files {
        let relative = file.strip_prefix(src).unwrap();
        let Some((module, depth)) = module_of(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let to_root = "super::".repeat(depth);
        let mut names = names_after(&text, "crate::");
        names.extend(names_after(&text, &to_root));
        for name in names {
            if name != module && modules.contains(&name) {
                graph
                    .entry(module.clone())
                    .or_default()
                    .entry(name)
                    .or_default()
                    .insert(relative.display().to_string());
            }
        }
    }
    graph
}

/// A circle through `start`, if any: the modules in order, back to `start`.
fn circle_through(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flat_map(|e| e.keys()) {
            if EXEMPT.contains(&next.as_str()) {
                continue;
            }
            if next == start {
                let mut circle = path.clone();
                circle.push(start.to_string());
                return Some(circle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_import_circle_between_the_modules_of_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let mut circles = Vec::new();
    for module in graph.keys().filter(|m| !EXEMPT.contains(&m.as_str())) {
        let Some(circle) = circle_through(&graph, module) else {
            continue;
        };
        let edges: Vec<String> = circle
            .windows(2)
            .map(|w| format!("  {} → {} ({:?})", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        circles.push(format!("{}\n{}", circle.join(" → "), edges.join("\n")));
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_reader_sees_grouped_and_relative_paths() {
    let text = "use crate::{a::X, b};\nuse super::super::c::Y;\nfoo_crate::d; $crate::e::f";
    assert_eq!(names_after(text, "crate::"), ["a", "b", "e"]);
    assert_eq!(names_after(text, "super::super::"), ["c"]);
    assert_eq!(names_after(text, "super::"), Vec::<String>::new());
    assert_eq!(
        module_of(Path::new("rules/death.rs")),
        Some(("rules".into(), 2))
    );
    assert_eq!(
        module_of(Path::new("link/mod.rs")),
        Some(("link".into(), 1))
    );
    assert_eq!(module_of(Path::new("lib.rs")), None);
}

/// Functions longer than `limit` lines in one file: (first line, name,
/// lines). Reads rustfmt's layout: a function starts on a line whose code
/// begins with its `fn` (after `pub`, `const`, … ) and ends at the first
/// later line that is `}` at the same indentation.
fn long_functions(text: &str, limit: usize) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim_start();
        let indent = line.len() - code.len();
        let Some(at) = code.find("fn ") else { continue };
        let head = &code[..at];
        let qualifiers = [
            "pub",
            "pub(crate)",
            "pub(super)",
            "const",
            "async",
            "unsafe",
        ];
        if !head.split_whitespace().all(|w| qualifiers.contains(&w)) {
            continue;
        }
        if code.ends_with(';') || code.ends_with('}') {
            continue; // a declaration without a body, or a one-line function
        }
        let end = format!("{}}}", " ".repeat(indent));
        let Some(len) = lines[i..].iter().position(|l| *l == end) else {
            continue;
        };
        if len + 1 > limit {
            long.push((i + 1, ident(&code[at + 3..]).to_string(), len + 1));
        }
    }
    long
}

#[test]
fn no_function_in_src_is_longer_than_120_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut long = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if module_of(relative).is_some_and(|(m, _)| EXEMPT.contains(&m.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, name, len) in long_functions(&text, 120) {
            long.push(format!("{}:{line} {name}: {len} lines", relative.display()));
        }
    }
    assert!(
        long.is_empty(),
        "functions over 120 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn a_long_function_is_seen() {
    let body = "    let x = 1;\n".repeat(3);
    let text =
        format!("pub(crate) fn short() {{\n{body}}}\n\nfn f(\n    a: u8,\n) -> u8 {{\n{body}}}\n");
    let named = |n: &str, line: usize, len: usize| (line, n.to_string(), len);
    assert_eq!(long_functions(&text, 5), [named("f", 7, 7)]);
    assert_eq!(
        long_functions(&text, 4),
        [named("short", 1, 5), named("f", 7, 7)]
    );
}
