//! List conventions: `page`, `per_page`, `sort` (or an `after` cursor) and the
//! `{items, total, total_capped, page, per_page}` answer.

use super::AppError;
use serde::{Deserialize, Serialize};

pub const PER_PAGE_DEFAULT: u32 = 20;
pub const PER_PAGE_MAX: u32 = 200;
/// Totals are counted exactly up to this many rows; beyond, a list says "more than".
pub const COUNT_CAP: i64 = 10_000;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListParams {
    /// Page number, from 1.
    pub page: Option<u32>,
    /// Items per page, 1–200 (default 20).
    pub per_page: Option<u32>,
    /// A sortable field, `-field` for descending.
    pub sort: Option<String>,
    /// Keyset cursor: the rows after this id in the id order (sort `id` or `-id`), instead of a
    /// page number. Every page costs the same however deep it is.
    pub after: Option<i64>,
}

/// A checked sort: a column from the list's own allow-list and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub descending: bool,
}

/// Validated list parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub page: u32,
    pub per_page: u32,
    pub sort: Sort,
    /// Rows after this id in the sort order (the sort is then by id).
    pub after: Option<i64>,
}

impl Window {
    /// Rows skipped: none when a cursor says where to start.
    pub fn offset(&self) -> i64 {
        match self.after {
            Some(_) => 0,
            None => i64::from(self.page - 1) * i64::from(self.per_page),
        }
    }
}

impl ListParams {
    /// Checks the parameters against the list's sortable fields; the first one is the default.
    pub fn window(&self, sortable: &[&'static str], default: Sort) -> Result<Window, AppError> {
        let page = self.page.unwrap_or(1);
        if page == 0 {
            return Err(AppError::invalid("page", "must be at least 1"));
        }
        let per_page = self.per_page.unwrap_or(PER_PAGE_DEFAULT);
        if !(1..=PER_PAGE_MAX).contains(&per_page) {
            return Err(AppError::invalid(
                "per_page",
                format!("must be between 1 and {PER_PAGE_MAX}"),
            ));
        }
        let sort = match self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => default,
            Some(spec) => {
                let (name, descending) = match spec.strip_prefix('-') {
                    Some(name) => (name, true),
                    None => (spec, false),
                };
                let field = sortable.iter().find(|f| **f == name).ok_or_else(|| {
                    AppError::invalid(
                        "sort",
                        format!(
                            "must be one of {} (prefix '-' to descend)",
                            sortable.join(", ")
                        ),
                    )
                })?;
                Sort { field, descending }
            }
        };
        if self.after.is_some() && (sort.field != "id" || self.page.is_some()) {
            return Err(AppError::invalid(
                "after",
                "a cursor pages by id: use it with sort id or -id and without page",
            ));
        }
        Ok(Window {
            page,
            per_page,
            sort,
            after: self.after,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many match, counted exactly up to 10,000; see `total_capped`.
    pub total: i64,
    /// More than `total` match: the count stopped at its cap.
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        ((self.total + per_page - 1) / per_page).max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SORTABLE: &[&str] = &["id", "username"];
    const DEFAULT: Sort = Sort {
        field: "id",
        descending: false,
    };

    fn params(page: Option<u32>, per_page: Option<u32>, sort: Option<&str>) -> ListParams {
        ListParams {
            page,
            per_page,
            sort: sort.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn a_cursor_pages_by_id_and_skips_nothing() {
        let cursor = ListParams {
            after: Some(500),
            ..Default::default()
        };
        let w = cursor.window(SORTABLE, DEFAULT).unwrap();
        assert_eq!((w.after, w.offset()), (Some(500), 0));
        let by_name = ListParams {
            sort: Some("username".into()),
            ..cursor.clone()
        };
        assert_eq!(
            by_name.window(SORTABLE, DEFAULT).unwrap_err().field(),
            Some("after")
        );
        let with_page = ListParams {
            page: Some(3),
            ..cursor
        };
        assert!(with_page.window(SORTABLE, DEFAULT).is_err());
    }

    #[test]
    fn defaults() {
        let w = params(None, None, None).window(SORTABLE, DEFAULT).unwrap();
        assert_eq!(
            (w.page, w.per_page, w.sort, w.offset()),
            (1, 20, DEFAULT, 0)
        );
    }

    #[test]
    fn bounds_of_per_page_and_page() {
        assert!(
            params(None, Some(200), None)
                .window(SORTABLE, DEFAULT)
                .is_ok()
        );
        for bad in [0, 201] {
            let e = params(None, Some(bad), None)
                .window(SORTABLE, DEFAULT)
                .unwrap_err();
            assert_eq!(e.field(), Some("per_page"));
        }
        assert_eq!(
            params(Some(0), None, None)
                .window(SORTABLE, DEFAULT)
                .unwrap_err()
                .field(),
            Some("page")
        );
        assert_eq!(
            params(Some(3), Some(50), None)
                .window(SORTABLE, DEFAULT)
                .unwrap()
                .offset(),
            100
        );
    }

    #[test]
    fn sort_accepts_only_listed_fields() {
        let w = params(None, None, Some("-username"))
            .window(SORTABLE, DEFAULT)
            .unwrap();
        assert_eq!(
            w.sort,
            Sort {
                field: "username",
                descending: true
            }
        );
        let e = params(None, None, Some("password_hash"))
            .window(SORTABLE, DEFAULT)
            .unwrap_err();
        assert_eq!(e.field(), Some("sort"));
        assert!(e.to_string().contains("id, username"));
    }

    #[test]
    fn page_count() {
        let page = |total| {
            Page::<()> {
                items: vec![],
                total,
                total_capped: false,
                page: 1,
                per_page: 20,
            }
            .pages()
        };
        assert_eq!((page(0), page(20), page(21)), (1, 1, 2));
    }
}
