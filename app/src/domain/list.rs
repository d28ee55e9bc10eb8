//! List conventions: `page`, `per_page`, `sort` (or an `after` / `before` cursor) and the
//! `{items, total, total_capped, page, per_page, next, previous}` answer.

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
    /// Keyset cursor: the rows that follow the row with this id in the list's order, instead
    /// of a page number. Every page costs the same however deep it is.
    pub after: Option<i64>,
    /// Keyset cursor: the rows that precede the row with this id in the list's order.
    pub before: Option<i64>,
}

/// A checked sort: a column from the list's own allow-list and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub descending: bool,
}

/// Where a keyset page starts: next to the row with this id, in the list's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    After(i64),
    Before(i64),
}

/// Validated list parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub page: u32,
    pub per_page: u32,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
}

impl Window {
    /// Rows skipped: none when a cursor says where to start.
    pub fn offset(&self) -> i64 {
        match self.cursor {
            Some(_) => 0,
            None => i64::from(self.page - 1) * i64::from(self.per_page),
        }
    }

    /// The page out of up to `per_page + 1` rows read in the window's direction (the extra
    /// row only says there is more), with the cursors to the pages on either side.
    pub fn page<T>(
        &self,
        mut rows: Vec<T>,
        id: impl Fn(&T) -> i64,
        total: i64,
        total_capped: bool,
    ) -> Page<T> {
        let more = rows.len() > self.per_page as usize;
        rows.truncate(self.per_page as usize);
        if matches!(self.cursor, Some(Cursor::Before(_))) {
            rows.reverse();
        }
        let first = rows.first().map(&id);
        let last = rows.last().map(&id);
        let (next, previous) = match self.cursor {
            None => (last.filter(|_| more), first.filter(|_| self.page > 1)),
            Some(Cursor::After(_)) => (last.filter(|_| more), first),
            Some(Cursor::Before(_)) => (last, first.filter(|_| more)),
        };
        Page {
            items: rows,
            total,
            total_capped,
            page: self.page,
            per_page: self.per_page,
            next,
            previous,
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
        let cursor = match (self.after, self.before) {
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "before",
                    "give after or before, not both",
                ));
            }
            (Some(_), None) | (None, Some(_)) if self.page.is_some() => {
                return Err(AppError::invalid(
                    "page",
                    "a cursor says where the page starts: give page or a cursor, not both",
                ));
            }
            (Some(after), None) => Some(Cursor::After(after)),
            (None, Some(before)) => Some(Cursor::Before(before)),
        };
        Ok(Window {
            page,
            per_page,
            sort,
            cursor,
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
    /// Pass as `after` for the next page; absent on the last page, and on the lists that take
    /// no cursor (users, groups, applications), which page by number only.
    #[serde(default)]
    pub next: Option<i64>,
    /// Pass as `before` for the previous page; absent on the first page, and on the lists that
    /// take no cursor.
    #[serde(default)]
    pub previous: Option<i64>,
}

/// Where a page stands among its neighbours: what the links under a list need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Neighbours {
    pub total: i64,
    pub total_capped: bool,
    pub next: Option<i64>,
    pub previous: Option<i64>,
}

impl<T> Page<T> {
    pub fn neighbours(&self) -> Neighbours {
        Neighbours {
            total: self.total,
            total_capped: self.total_capped,
            next: self.next,
            previous: self.previous,
        }
    }

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
    fn a_cursor_skips_nothing_and_takes_no_page_number() {
        let cursor = ListParams {
            after: Some(500),
            sort: Some("username".into()),
            ..Default::default()
        };
        let w = cursor.window(SORTABLE, DEFAULT).unwrap();
        assert_eq!((w.cursor, w.offset()), (Some(Cursor::After(500)), 0));
        let with_page = ListParams {
            page: Some(3),
            ..cursor.clone()
        };
        assert_eq!(
            with_page.window(SORTABLE, DEFAULT).unwrap_err().field(),
            Some("page")
        );
        let both = ListParams {
            before: Some(400),
            ..cursor
        };
        assert_eq!(
            both.window(SORTABLE, DEFAULT).unwrap_err().field(),
            Some("before")
        );
    }

    fn window(page: u32, cursor: Option<Cursor>) -> Window {
        Window {
            page,
            per_page: 2,
            sort: DEFAULT,
            cursor,
        }
    }

    /// (items, next, previous) of a page built from rows read in the window's direction.
    fn built(w: Window, rows: &[i64]) -> (Vec<i64>, Option<i64>, Option<i64>) {
        let p = w.page(rows.to_vec(), |r| *r, 5, false);
        (p.items, p.next, p.previous)
    }

    #[test]
    fn pages_point_to_their_neighbours() {
        assert_eq!(
            built(window(1, None), &[1, 2, 3]),
            (vec![1, 2], Some(2), None)
        );
        assert_eq!(built(window(3, None), &[5]), (vec![5], None, Some(5)));
        let after = window(1, Some(Cursor::After(2)));
        assert_eq!(built(after, &[3, 4, 5]), (vec![3, 4], Some(4), Some(3)));
        assert_eq!(built(after, &[3, 4]), (vec![3, 4], None, Some(3)));
        // Rows before a cursor are read backwards and shown forwards.
        let before = window(1, Some(Cursor::Before(5)));
        assert_eq!(built(before, &[4, 3, 2]), (vec![3, 4], Some(4), Some(3)));
        assert_eq!(built(before, &[2, 1]), (vec![1, 2], Some(2), None));
        assert_eq!(built(before, &[]), (vec![], None, None));
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
                next: None,
                previous: None,
            }
            .pages()
        };
        assert_eq!((page(0), page(20), page(21)), (1, 1, 2));
    }
}
