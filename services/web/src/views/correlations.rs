//! Page model of `/correlations`.

use askama::Template;

use crate::views::Nav;
use crate::views::events::Choice;

pub struct LagRow {
    pub lag: i32,
    pub counts: String,
    pub stance: String,
}

#[derive(Template)]
#[template(path = "events_correlations.html")]
pub struct CorrelationsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub benchmark: String,
    pub from: String,
    pub to: String,
    pub days: usize,
    pub window: usize,
    pub windows: Vec<Choice>,
    pub heatmap: String,
    pub beta_chart: String,
    pub corr_chart: String,
    pub news_note: String,
    pub lag_rows: Vec<LagRow>,
    pub news_symbol: String,
}
