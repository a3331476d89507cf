//! Page model of `/story/deepseek`.

use askama::Template;

use crate::views::Nav;
use crate::views::events::StudyTables;

pub struct TimelineRow {
    pub day: String,
    pub what: String,
    pub detail: String,
    pub link: String,
    pub event_id: Option<i64>,
}

pub struct ModelRow {
    pub name: String,
    pub organization: String,
    pub released: String,
    pub compute: String,
    pub cost: String,
}

pub struct NewsRow {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub stance: String,
}

#[derive(Template)]
#[template(path = "story_deepseek.html")]
pub struct StoryPage {
    pub title: &'static str,
    pub nav: Nav,
    pub timeline: Vec<TimelineRow>,
    pub headline: String,
    pub tables: Option<StudyTables>,
    pub error: String,
    pub r1_note: String,
    pub mean_chart: String,
    pub price_chart: String,
    pub models: Vec<ModelRow>,
    pub models_note: String,
    pub news: Vec<NewsRow>,
    pub news_note: String,
    pub sell_off_id: Option<i64>,
}
