//! Every word the report writes around the data, in Arabic and in English.

use super::ReportLang;

/// The report's labels in one language.
#[derive(Debug)]
pub struct Labels {
    pub title: &'static str,
    pub period: &'static str,
    /// The word for `n` days, in the grammatical number `n` takes.
    pub days: fn(u32) -> &'static str,
    pub accounts: &'static str,
    pub not_found: &'static str,
    pub rankings: &'static str,
    pub most_followed: &'static str,
    pub most_effective: &'static str,
    pub most_interactions: &'static str,
    pub most_conversational: &'static str,
    pub best_connected: &'static str,
    pub account: &'static str,
    pub followers: &'static str,
    pub posts: &'static str,
    pub original: &'static str,
    pub reposts: &'static str,
    pub replies: &'static str,
    pub likes: &'static str,
    pub posts_per_day: &'static str,
    pub avg_reposts: &'static str,
    pub avg_likes: &'static str,
    pub interactions: &'static str,
    pub reply_share: &'static str,
    pub languages: &'static str,
    pub hashtags: &'static str,
    pub top_posts: &'static str,
    pub reply_sentiment: &'static str,
    pub positive: &'static str,
    pub neutral: &'static str,
    pub negative: &'static str,
    pub connections: &'static str,
    pub connections_follows: &'static str,
    pub connections_mentions: &'static str,
    pub activity_chart: &'static str,
    pub interactions_chart: &'static str,
    pub sentiment_chart: &'static str,
    pub share: &'static str,
    pub not_available: &'static str,
    pub none: &'static str,
    pub list_separator: &'static str,
    pub notes: &'static str,
    pub note_counts: &'static str,
    pub note_languages: &'static str,
}

impl Labels {
    pub fn of(lang: ReportLang) -> &'static Labels {
        match lang {
            ReportLang::Ar => &AR,
            ReportLang::En => &EN,
        }
    }
}

static EN: Labels = Labels {
    title: "Digital diplomacy report",
    period: "Period",
    days: |n| if n == 1 { "day" } else { "days" },
    accounts: "Accounts",
    not_found: "Not in the data",
    rankings: "Rankings",
    most_followed: "Most followed",
    most_effective: "Most effective (average reposts per post)",
    most_interactions: "Most interactions",
    most_conversational: "Most conversational (share of replies)",
    best_connected: "Best connected",
    account: "Account",
    followers: "Followers",
    posts: "Posts",
    original: "Original",
    reposts: "Reposts",
    replies: "Replies",
    likes: "Likes",
    posts_per_day: "Posts per day",
    avg_reposts: "Average reposts per post",
    avg_likes: "Average likes per post",
    interactions: "Interactions",
    reply_share: "Share of replies",
    languages: "Languages",
    hashtags: "Top hashtags",
    top_posts: "Top posts",
    reply_sentiment: "Sentiment of replies received",
    positive: "Positive",
    neutral: "Neutral",
    negative: "Negative",
    connections: "Connections",
    connections_follows: "Connections are mutual follows among the accounts.",
    connections_mentions: "Connections: the two accounts each mentioned, replied to or reposted the other in the period.",
    activity_chart: "Posts per day",
    interactions_chart: "Interactions per account",
    sentiment_chart: "Sentiment of replies received (share)",
    share: "Share",
    not_available: "n/a",
    none: "—",
    list_separator: ", ",
    notes: "Notes",
    note_counts: "Averages use the posts whose counts the archive gives; interactions use the archive's counts, else the reposts and replies found in the data.",
    note_languages: "Languages as the platform declared them, else detected from the text.",
};

static AR: Labels = Labels {
    title: "تقرير الدبلوماسية الرقمية",
    period: "الفترة",
    // Arabic counts by the CLDR plural rules, which look at n % 100 past two: 1 يوم,
    // 2 يومان, 3–10 أيام (also 103–110, …), 11–99 يومًا (also 111–199, …), else يوم
    // (0, 100–102, 200, 1000, …).
    days: |n| match (n, n % 100) {
        (1, _) => "يوم",
        (2, _) => "يومان",
        (_, 3..=10) => "أيام",
        (_, 11..=99) => "يومًا",
        _ => "يوم",
    },
    accounts: "الحسابات",
    not_found: "غير موجود في البيانات",
    rankings: "الترتيب",
    most_followed: "الأكثر متابَعة",
    most_effective: "الأكثر تأثيرًا (متوسط إعادة النشر لكل منشور)",
    most_interactions: "الأكثر تفاعلًا",
    most_conversational: "الأكثر حوارًا (نسبة الردود)",
    best_connected: "الأفضل تواصلًا",
    account: "الحساب",
    followers: "المتابعون",
    posts: "المنشورات",
    original: "أصلية",
    reposts: "إعادات النشر",
    replies: "الردود",
    likes: "الإعجابات",
    posts_per_day: "المنشورات في اليوم",
    avg_reposts: "متوسط إعادة النشر لكل منشور",
    avg_likes: "متوسط الإعجابات لكل منشور",
    interactions: "التفاعلات",
    reply_share: "نسبة الردود",
    languages: "اللغات",
    hashtags: "أبرز الوسوم",
    top_posts: "أبرز المنشورات",
    reply_sentiment: "اتجاه الردود الواردة",
    positive: "إيجابي",
    neutral: "محايد",
    negative: "سلبي",
    connections: "الروابط",
    connections_follows: "الروابط هي المتابعة المتبادلة بين الحسابات.",
    connections_mentions: "الروابط: ذكر كل من الحسابين الآخر أو رد عليه أو أعاد نشر منشوره خلال الفترة.",
    activity_chart: "المنشورات في اليوم",
    interactions_chart: "التفاعلات لكل حساب",
    sentiment_chart: "اتجاه الردود الواردة (نسبة)",
    share: "النسبة",
    not_available: "غير متاح",
    none: "—",
    list_separator: "، ",
    notes: "ملاحظات",
    note_counts: "تُحسب المتوسطات من المنشورات التي يذكر الأرشيف أعدادها؛ وتُحسب التفاعلات من أعداد الأرشيف، وإلا فمن إعادات النشر والردود الموجودة في البيانات.",
    note_languages: "اللغات كما أعلنتها المنصة، وإلا فكما كُشفت من النص.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_counts_take_their_grammatical_number() {
        let ar = Labels::of(ReportLang::Ar).days;
        let en = Labels::of(ReportLang::En).days;
        assert_eq!(
            [ar(1), ar(2), ar(5), ar(10), ar(11), ar(30)],
            ["يوم", "يومان", "أيام", "أيام", "يومًا", "يومًا"]
        );
        assert_eq!(
            [ar(0), ar(99), ar(100), ar(102), ar(103), ar(110), ar(111)],
            ["يوم", "يومًا", "يوم", "يوم", "أيام", "أيام", "يومًا"]
        );
        assert_eq!(
            [ar(200), ar(1000), ar(1001), ar(1005), ar(1011)],
            ["يوم", "يوم", "يوم", "أيام", "يومًا"]
        );
        assert_eq!([en(1), en(5)], ["day", "days"]);
    }
}
