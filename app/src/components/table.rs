//! Tables with sortable headers and pagination, both driven by the URL query.

use crate::domain::list::Neighbours;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::params::ParamsMap;

/// A column header; `sort` names the field the API sorts by, if the column is sortable.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub label: &'static str,
    pub sort: Option<&'static str>,
}

pub const fn col(label: &'static str) -> Column {
    Column { label, sort: None }
}

pub const fn sortable(label: &'static str, field: &'static str) -> Column {
    Column {
        label,
        sort: Some(field),
    }
}

fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `path` with the current query, some keys replaced (`Some`) or removed (`None`).
pub fn href_with(path: &str, query: &ParamsMap, changes: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .latest_values()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == &k.as_ref()))
        .filter(|(k, _)| !k.starts_with("error_"))
        .map(|(k, v)| (k.to_string(), v.to_owned()))
        .collect();
    for (k, v) in changes {
        if let Some(v) = v {
            pairs.push(((*k).to_owned(), v.clone()));
        }
    }
    if pairs.is_empty() {
        return path.to_owned();
    }
    let qs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect();
    format!("{path}?{}", qs.join("&"))
}

#[component]
fn HeaderCell(column: Column) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let class =
        "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
    match column.sort {
        None => view! { <th scope="col" class=class>{column.label}</th> }.into_any(),
        Some(field) => {
            let state = move || {
                let current = query.read().get("sort").unwrap_or_default();
                if current == field {
                    Some(false)
                } else if current == format!("-{field}") {
                    Some(true)
                } else {
                    None
                }
            };
            let href = move || {
                let next = if state() == Some(false) {
                    format!("-{field}")
                } else {
                    field.to_owned()
                };
                href_with(
                    &location.pathname.get(),
                    &query.read(),
                    &[
                        ("sort", Some(next)),
                        ("page", None),
                        ("after", None),
                        ("before", None),
                    ],
                )
            };
            let arrow = move || match state() {
                Some(false) => "▲",
                Some(true) => "▼",
                None => "",
            };
            view! {
                <th scope="col" class=class>
                    <a href=href class="inline-flex items-center gap-1 hover:text-slate-800">
                        {column.label} <span class="text-[10px]">{arrow}</span>
                    </a>
                </th>
            }
            .into_any()
        }
    }
}

#[component]
pub fn Table(
    columns: Vec<Column>,
    #[prop(optional)] testid: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid=testid>
                <thead class="bg-slate-50">
                    <tr>{columns.into_iter().map(|c| view! { <HeaderCell column=c/> }).collect_view()}</tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}

pub const TD: &str = "px-4 py-2.5 align-top text-slate-700";

const PAGE_LINK: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50";
const NO_PAGE_LINK: &str = "rounded-md border border-slate-200 px-3 py-1.5 text-sm text-slate-400";

/// The cursor a list's URL names: `(after, before)`.
pub fn cursor_of(query: &ParamsMap) -> (Option<i64>, Option<i64>) {
    let id = |key| query.get(key).and_then(|v| v.parse().ok());
    (id("after"), id("before"))
}

/// "57 items" with First, Previous and Next links for a big list. The links keep the filters
/// and the sort and say by cursor where the next page starts, so no page reached from here
/// walks past the rows before it.
#[component]
pub fn CursorPagination(around: Neighbours) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let link = move |after: Option<i64>, before: Option<i64>| {
        href_with(
            &location.pathname.get_untracked(),
            &query.read_untracked(),
            &[
                ("page", None),
                ("after", after.map(|id| id.to_string())),
                ("before", before.map(|id| id.to_string())),
            ],
        )
    };
    let count = match (around.total, around.total_capped) {
        (_, true) => format!("More than {} items", around.total),
        (1, false) => "1 item".to_owned(),
        (n, false) => format!("{n} items"),
    };
    view! {
        <div class="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-500" data-testid="pagination">
            <span>{count}</span>
            <div class="flex flex-wrap items-center gap-2">
                {match around.previous {
                    Some(id) => view! {
                        <a href=link(None, None) class=PAGE_LINK>"First"</a>
                        <a href=link(None, Some(id)) class=PAGE_LINK rel="prev">"Previous"</a>
                    }.into_any(),
                    None => view! { <span class=NO_PAGE_LINK>"Previous"</span> }.into_any(),
                }}
                {match around.next {
                    Some(id) => view! { <a href=link(Some(id), None) class=PAGE_LINK rel="next">"Next"</a> }.into_any(),
                    None => view! { <span class=NO_PAGE_LINK>"Next"</span> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// "1–20 of 57" with previous/next links.
#[component]
pub fn Pagination(
    page: u32,
    pages: u32,
    total: i64,
    per_page: u32,
    /// More than `total` match (the count stopped at its cap).
    #[prop(optional)]
    capped: bool,
) -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let link = move |target: u32| {
        href_with(
            &location.pathname.get_untracked(),
            &query.read_untracked(),
            &[("page", Some(target.to_string()))],
        )
    };
    let first = i64::from(page - 1) * i64::from(per_page) + 1;
    let last = (first + i64::from(per_page) - 1).min(total);
    let range = if total == 0 {
        "0 items".to_owned()
    } else {
        format!("{first}–{last} of {total}{}", if capped { "+" } else { "" })
    };
    let (button, disabled) = (PAGE_LINK, NO_PAGE_LINK);
    view! {
        <div class="mt-3 flex items-center justify-between text-sm text-slate-500" data-testid="pagination">
            <span>{range}</span>
            <div class="flex items-center gap-2">
                {if page > 1 {
                    view! { <a href=link(page - 1) class=button rel="prev">"Previous"</a> }.into_any()
                } else {
                    view! { <span class=disabled>"Previous"</span> }.into_any()
                }}
                <span>{format!("Page {page} of {pages}{}", if capped { "+" } else { "" })}</span>
                {if page < pages {
                    view! { <a href=link(page + 1) class=button rel="next">"Next"</a> }.into_any()
                } else {
                    view! { <span class=disabled>"Next"</span> }.into_any()
                }}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_with_replaces_removes_and_escapes() {
        let mut q = ParamsMap::new();
        q.insert("q", "a b&c".into());
        q.insert("page", "3".into());
        q.insert("error_msg", "old".into());
        assert_eq!(
            href_with(
                "/users",
                &q,
                &[("page", None), ("sort", Some("-role".into()))]
            ),
            "/users?q=a%20b%26c&sort=-role"
        );
        assert_eq!(
            href_with("/users", &ParamsMap::new(), &[("page", None)]),
            "/users"
        );
    }
}
