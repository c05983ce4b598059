//! `--resolve-urls`: co_link on where links lead, not on how they were written. Each
//! distinct URL is followed through its redirects (most shared first, up to a limit);
//! results are kept in a TSV cache (`url<TAB>destination`) so that a re-run asks the
//! network nothing it already knows.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::Context;
use safir_listen::table::MessageTable;

use super::fetch::{self, HttpClient, RESOLVE_TIMEOUT};
use super::progress::Bar;

/// What link resolution did, for the command's summary line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LinkSummary {
    /// Links answered from the cache.
    pub cached: usize,
    /// Links followed over the network.
    pub followed: usize,
    /// Links that could not be followed; they stay as written.
    pub failed: usize,
    /// Links not followed because of the limit; they stay as written.
    pub beyond_limit: usize,
    /// Distinct URLs whose value changed in the table.
    pub changed: usize,
    pub first_failure: Option<String>,
}

/// Replaces the table's URLs by their destinations.
pub fn resolve_links(
    table: &mut MessageTable,
    limit: usize,
    cache_file: Option<&Path>,
    bar: &Bar,
) -> anyhow::Result<LinkSummary> {
    let mut known = match cache_file {
        Some(path) => read_cache(path).with_context(|| format!("reading {}", path.display()))?,
        None => HashMap::new(),
    };
    let mut summary = LinkSummary::default();
    let mut wanted = Vec::new();
    for url in links_by_use(table) {
        if known.contains_key(&url) {
            summary.cached += 1;
        } else if wanted.len() < limit {
            wanted.push(url);
        } else {
            summary.beyond_limit += 1;
        }
    }
    if !wanted.is_empty() {
        let mut cache = match cache_file {
            Some(path) => {
                Some(open_cache(path).with_context(|| format!("opening {}", path.display()))?)
            }
            None => None,
        };
        let client = HttpClient::new().context("starting the HTTP client")?;
        let total = wanted.len() as u64;
        let mut done = 0;
        let mut write_error = None;
        client.resolve(wanted, RESOLVE_TIMEOUT, |url, result| {
            done += 1;
            bar.count("resolving links", done, total);
            match result {
                Ok(destination) => {
                    summary.followed += 1;
                    if let (Some(file), None) = (cache.as_mut(), &write_error)
                        && let Err(e) = append(file, &url, &destination)
                    {
                        write_error = Some(e);
                    }
                    known.insert(url, destination);
                }
                Err(e) => {
                    summary.failed += 1;
                    summary.first_failure.get_or_insert_with(|| e.to_string());
                }
            }
        });
        bar.finish();
        if let (Some(e), Some(path)) = (write_error, cache_file) {
            return Err(e).with_context(|| format!("writing {}", path.display()));
        }
    }
    summary.changed = table.map_urls(|u| known.get(u).cloned());
    Ok(summary)
}

/// The table's http(s) URLs, most used first (ties in first-seen order).
fn links_by_use(table: &MessageTable) -> Vec<String> {
    let mut uses = vec![0u32; table.urls.len()];
    for row in 0..table.len() as u32 {
        for &u in table.url_ids(row) {
            uses[u as usize] += 1;
        }
    }
    let mut ids: Vec<u32> = (0..table.urls.len() as u32)
        .filter(|&u| fetch::is_url(table.urls.resolve(u)))
        .collect();
    ids.sort_by_key(|&u| std::cmp::Reverse(uses[u as usize]));
    ids.into_iter()
        .map(|u| table.urls.resolve(u).to_owned())
        .collect()
}

fn read_cache(path: &Path) -> io::Result<HashMap<String, String>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(e),
    };
    let mut known = HashMap::new();
    for line in BufReader::new(file).lines() {
        let line = line?;
        // A line cut short by an interrupted run has no tab or an empty destination; one
        // glued to the next (a last line left without its line break) has a second tab.
        if let Some((url, destination)) = line.split_once('\t')
            && !url.is_empty()
            && !destination.is_empty()
            && !destination.contains('\t')
        {
            known.insert(url.to_owned(), destination.to_owned());
        }
    }
    Ok(known)
}

/// Opens the cache for appending. A file edited by hand may lack its last line break:
/// one is added first, so that the next line does not join the last one.
fn open_cache(path: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::Start(len - 1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

fn append(file: &mut File, url: &str, destination: &str) -> io::Result<()> {
    let clean = |s: &str| !s.contains(['\t', '\n', '\r']);
    if clean(url) && clean(destination) {
        file.write_all(format!("{url}\t{destination}\n").as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use safir_listen::table::MessageRow;

    use super::*;

    fn row(id: &str, urls: &[&str]) -> MessageRow {
        MessageRow {
            message_id: id.into(),
            user_id: id.into(),
            username: id.into(),
            urls: urls.iter().map(|u| (*u).to_owned()).collect(),
            ..MessageRow::default()
        }
    }

    #[test]
    fn most_shared_links_come_first_and_non_links_are_left_alone() {
        let mut t = MessageTable::new();
        t.push(&row("1", &["https://a.example/1", "mailto:x@example.org"]));
        t.push(&row("2", &["https://b.example/2", ""]));
        t.push(&row("3", &["https://b.example/2"]));
        assert_eq!(
            links_by_use(&t),
            ["https://b.example/2", "https://a.example/1"]
        );
    }

    #[test]
    fn the_cache_answers_without_the_network_and_skips_broken_lines() {
        let dir = crate::listen_cmd::tests::temp_dir("links");
        let cache = dir.join("cache.tsv");
        std::fs::write(
            &cache,
            "https://t.example/1\thttps://dest.example/\nhttps://t.example/2\t\ncut short\n",
        )
        .unwrap();
        let mut t = MessageTable::new();
        t.push(&row("1", &["https://t.example/1"]));
        t.push(&row("2", &["https://t.example/1", "https://t.example/2"]));
        // The limit of 0 keeps the uncached link off the network.
        let s = resolve_links(&mut t, 0, Some(&cache), &Bar::off()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            s,
            LinkSummary {
                cached: 1,
                beyond_limit: 1,
                changed: 1,
                ..LinkSummary::default()
            }
        );
        assert_eq!(
            t.row(1).urls,
            ["https://dest.example/", "https://t.example/2"]
        );
    }

    #[test]
    fn a_cache_edited_without_a_last_line_break_keeps_its_last_line() {
        let dir = crate::listen_cmd::tests::temp_dir("links-edited");
        let cache = dir.join("cache.tsv");
        std::fs::write(&cache, "https://t.example/1\thttps://dest.example/1").unwrap();
        let mut file = open_cache(&cache).unwrap();
        append(&mut file, "https://t.example/2", "https://dest.example/2").unwrap();
        drop(file);
        let text = std::fs::read_to_string(&cache).unwrap();
        let known = read_cache(&cache).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            text,
            "https://t.example/1\thttps://dest.example/1\nhttps://t.example/2\thttps://dest.example/2\n"
        );
        assert_eq!(known.len(), 2);
        assert_eq!(known["https://t.example/1"], "https://dest.example/1");
    }

    #[test]
    fn a_cache_line_glued_to_the_next_is_skipped() {
        let dir = crate::listen_cmd::tests::temp_dir("links-glued");
        let cache = dir.join("cache.tsv");
        std::fs::write(
            &cache,
            "https://t.example/1\thttps://dest.example/1https://t.example/2\thttps://dest.example/2\n\
             https://t.example/3\thttps://dest.example/3\n",
        )
        .unwrap();
        let known = read_cache(&cache).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            known,
            HashMap::from([(
                "https://t.example/3".to_owned(),
                "https://dest.example/3".to_owned()
            )])
        );
    }
}
