//! The modules of `src/` import each other in one direction only (the layering written in
//! `src/lib.rs`): this test reads every `src/**/*.rs`, collects the `crate::` paths outside
//! comments, and fails on any cycle between top-level modules or any import of a higher layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom layer up; a module may import its own layer's others
/// (without a cycle) and any layer below, never one above. Keep in step with `src/lib.rs`.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["policy", "workload", "origin", "metrics"],
    &["mrc"],
    &["strategy"],
    &["http"],
    &["runner"],
    &["report", "export"],
    &["scenario"],
    &["cli"],
    &["commands"],
    &["main", "lib"],
];

/// Which top-level module imports which: `module -> {imported modules}`.
type Graph = BTreeMap<String, BTreeSet<String>>;

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

/// The top-level module a file of `src/` belongs to: `src/policy/lru.rs` and
/// `src/policy.rs` both belong to `policy`.
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// Source text without comments (`//` to the end of the line, `/* */`) and string literals,
/// so a path named in a doc comment or a message is not an import.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if bytes.get(i + 2) == Some(&b'\'') || bytes.get(i + 1) == Some(&b'\\') => {
                // A char literal ('"', '\n'); lifetimes ('a) have no closing quote nearby.
                let end = text[i + 1..].find('\'').map_or(bytes.len(), |n| i + 2 + n);
                i = end;
                out.push_str("' '");
            }
            _ => {
                let ch = text[i..].chars().next().unwrap();
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The top-level modules a piece of code names through `crate::`: `crate::policy::Lru`,
/// and each first segment of a group, `crate::{policy::Lru, model::Capacity}`.
fn imported_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `my_crate::` or `$crate::`-like names are not this crate's paths
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // A group: the first segment after `{` and after each top-level `,` is a module.
            let (mut depth, mut expecting, mut name) = (0usize, true, String::new());
            for c in group.chars() {
                if expecting {
                    if c.is_alphanumeric() || c == '_' {
                        name.push(c);
                        continue;
                    }
                    if c.is_whitespace() && name.is_empty() {
                        continue;
                    }
                    if !name.is_empty() {
                        found.insert(std::mem::take(&mut name));
                    }
                    expecting = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expecting = true,
                    _ => {}
                }
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn crate_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let module = top_module(&src, &file);
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        let imports = graph.entry(module.clone()).or_default();
        for imported in imported_modules(&code) {
            if imported != module && imported != "self" && imported != "super" {
                imports.insert(imported);
            }
        }
    }
    graph
}

/// One cycle of `graph` as a path `a -> b -> ... -> a`, if there is any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = crate_graph();
    assert!(graph.contains_key("model") && graph.contains_key("policy"), "read src/: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle between top-level modules of src/: {}", cycle.join(" -> "));
    }
}

#[test]
fn every_import_goes_down_the_layers_of_lib_rs() {
    let graph = crate_graph();
    let mut wrong = Vec::new();
    for (module, imports) in &graph {
        let Some(layer) = layer_of(module) else {
            wrong.push(format!("`{module}` is in no layer: add it to LAYERS here and to src/lib.rs"));
            continue;
        };
        for imported in imports {
            match layer_of(imported) {
                Some(below) if below <= layer => {}
                Some(_) => wrong.push(format!("`{module}` imports `crate::{imported}`, a higher layer")),
                None => wrong.push(format!("`{module}` imports `crate::{imported}`, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        graph["model"].is_empty(),
        "model imports {:?}; it must import nothing of the crate",
        graph["model"]
    );
}

#[test]
fn the_checker_sees_cycles_groups_and_ignores_comments() {
    let code = code_only(
        "use crate::{policy::Lru, model::{Capacity, NEVER}};\n/// [`crate::report`]\nlet s = \"crate::http\"; use crate::strategy::X; // crate::runner\n",
    );
    let found = imported_modules(&code);
    assert_eq!(found, ["model", "policy", "strategy"].map(String::from).into_iter().collect());

    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default();
    assert_eq!(find_cycle(&graph), None);
    graph.get_mut("c").unwrap().insert("a".into());
    assert_eq!(find_cycle(&graph).unwrap().join(" -> "), "a -> b -> c -> a");
}
