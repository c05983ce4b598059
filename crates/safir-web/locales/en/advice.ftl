## Travel advice: public pages and feeds

advice-title = Travel advice
advice-lead = The ministry's advice for travellers, country by country. Read it before you travel and while you are abroad.
advice-search-label = Country
advice-filter-level = Level
advice-filter-any = Any level
advice-filter-submit = Search
advice-none = No travel advice has been published yet.
advice-empty = No country matches this search.
advice-countries-count = { $count ->
    [zero] No countries
    [one] One country
    [two] Two countries
    [few] { $count } countries
    [many] { $count } countries
   *[other] { $count } countries
}
advice-col-country = Country
advice-col-level = Level
advice-col-summary = Summary
advice-last-updated = Last updated
advice-level-number = Level { $count }
advice-level-1 = Exercise normal precautions
advice-level-2 = Exercise increased caution
advice-level-3 = Reconsider travel
advice-level-4 = Do not travel
advice-section-safety-and-security = Safety and security
advice-section-entry-requirements = Entry requirements
advice-section-health = Health
advice-section-local-laws = Local laws and customs
advice-latest-change = Latest change
advice-history-title = History of changes
advice-version = Version { $count }
advice-feed-link = Follow changes to this advice (Atom feed)
advice-feed-all = Follow changes for every country (Atom feed)
advice-feed-all-title = Travel advice: all countries
advice-feed-author = Consular services

## Travel advice: editing (ministry)

admin-travel-advice-title = Travel advice
admin-travel-advice-description = Publish the advice for each country; every published version is kept.
advice-admin-empty = No country has advice yet.
advice-admin-choose-country = Country
advice-admin-open = Write or update the advice
advice-admin-version = Version
advice-admin-published = The advice for { $name } was published.
advice-admin-level-changed = The level changed: subscribers of this country will be told.
advice-admin-current = Version in force: { $count }
advice-admin-first = This country has no advice yet: this will be its first version.
advice-admin-arabic = Arabic text
advice-admin-english = English text
advice-admin-publish = Publish
advice-admin-view-public = See the published advice
advice-admin-conflict = Someone published a newer version while you were editing. Read it, adjust your text if needed and publish again.
advice-field-level = Level
advice-hint-level = A change of level is announced to everyone who follows this country.
advice-field-summary = Summary
advice-hint-summary = One paragraph, shown in the list of countries and at the top of the page.
advice-hint-section = Optional. Each line is a paragraph.
advice-field-change = Summary of this change
advice-hint-change = One sentence on what changed, shown in the history and the feed.
field-error-advice-level-unknown = Choose a level from 1 to 4.
