# Varnish 7 in front of Newsroom Explainers (README "Caches in front", docs/operations.md
# "Varnish in front during an outage").
# - Reader pages are cached as the app says (Cache-Control: public, max-age,
#   stale-while-revalidate, stale-if-error), one copy per page: query parameters the pages do
#   not read are dropped, cookies are ignored outside the admin and the preview, and a plain
#   Accept-Language is reduced to the language the app would pick from it.
# - The app bans changed pages after every change readers may see (explainers/reader/purge.py):
#   a BAN request whose X-Ban-Url header is a regular expression over URL paths.
#   Only the addresses in the "purgers" ACL may send one. A banned object is gone, also from
#   grace: a withdrawal or a redaction is never undone by a stale copy.
# - Grace: every object is kept for its stale-if-error seconds past max-age (86400 s, the
#   app's default READER_STALE_IF_ERROR_SECONDS, when the header names none). While the
#   probe says the app is healthy, an expired page is served only within its
#   stale-while-revalidate (the app's freshness promise) and renewed in the background;
#   beyond that it is fetched before it is delivered. When the probe says the app is sick,
#   or the fetch answers 5xx or fails, the graced copy is served for its whole grace.
# - A 5xx or a failed fetch never replaces a graced copy: background fetches are abandoned,
#   a foreground fetch is abandoned and the request restarts once, allowing the whole grace.
#   Without a graced copy the app's own answer (503 with Retry-After and its German page)
#   passes through, never stored; if the app cannot be reached at all, a German 503 with
#   Retry-After is made here. Readers never see a Varnish error page.
vcl 4.1;

import std;

# /healthz answers 503 while the database or the cache does not answer. Sick after 3 failed
# checks of the last 5 (about 3 s at one per second), healthy again after 3 good ones;
# `.initial` lets it start healthy. The Host must be one of DJANGO_ALLOWED_HOSTS (the app
# answers 400 to any other, and the backend would stay sick).
probe healthz {
    .request =
        "GET /healthz HTTP/1.1"
        "Host: 127.0.0.1"
        "Connection: close"
        "User-Agent: Varnish health probe";
    .interval = 1s;
    .timeout = 2s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

# The app server; `varnishd -b` is not used so the bans below apply.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = healthz;
}

# The same app server without the probe: a page with no graced copy is still asked for while
# the probe says sick, so the app's own answer reaches the reader (a page its worker holds,
# the baked copy, or its 503 page).
backend default_unprobed {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # X-Newsroom-Grace is this VCL's own note across a restart: "none" while a page past its
    # stale-while-revalidate is fetched, "full" once that fetch failed.
    # A restart keeps req.grace: "full" lifts the limit again (each object's own grace holds).
    if (req.restarts == 0) {
        unset req.http.X-Newsroom-Grace;
    } elsif (req.http.X-Newsroom-Grace == "none") {
        set req.grace = 0s;
    } elsif (req.http.X-Newsroom-Grace == "full") {
        set req.grace = 3650d;
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.X-Ban-Url) {
            return (synth(400, "X-Ban-Url missing"));
        }
        ban("obj.http.X-Url ~ " + req.http.X-Ban-Url);
        return (synth(200, "Banned"));
    }
    if (req.url ~ "^/admin/" || req.url ~ "^/explainers/[^/]+/preview/") {
        return (pass);
    }
    # One copy per page: only the query parameters a page reads stay (the app's
    # held_for_readers(uses=...) in explainers/reader/urls.py and newsroom/urls.py).
    if (req.url ~ "^/suche/\?") {
        set req.url = regsuball(req.url, "([?&])(?!(?:page|q)=)[^&#]*", "\1");
    } elsif (req.url ~ "^/\?") {
        set req.url = regsuball(req.url, "([?&])(?!page=)[^&#]*", "\1");
    } elsif (req.url ~ "^/sitemap\.xml\?") {
        set req.url = regsuball(req.url, "([?&])(?!p=)[^&#]*", "\1");
    } elsif (req.url ~ "^/(?:api|oembed)/") {
        # The read API and oEmbed read their query (filters, q, page, url, format,
        # maxwidth, …): it stays whole, only sorted below.
    } else {
        set req.url = regsub(req.url, "\?.*$", "");
    }
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&+", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
    unset req.http.Cookie;
    # The app picks the reader's language from Accept-Language alone (de or en, by
    # q-value). Where the choice is plain – English not listed, or German not listed
    # and no "*" – the header becomes "de" or "en", so those readers share one copy;
    # any other header stays as it is and is its own variant (Vary), which is exact.
    if (req.http.Accept-Language !~ "\*") {
        if (req.http.Accept-Language !~ "(?i)(^|,)\s*en\b") {
            set req.http.Accept-Language = "de";
        } elsif (req.http.Accept-Language !~ "(?i)(^|,)\s*de\b") {
            set req.http.Accept-Language = "en";
        }
    }
}

sub vcl_hit {
    # An expired copy while the app is healthy: within its stale-while-revalidate it is
    # delivered and renewed in the background; beyond it, look up again without grace, so
    # the page is fetched first (a failure of that fetch comes back here with "full").
    if (obj.ttl < 0s && req.http.X-Newsroom-Grace != "full" && std.healthy(req.backend_hint)) {
        if (obj.ttl + std.duration(regsub(obj.http.Cache-Control,
                "^(?:.*[,\s])?stale-while-revalidate=(\d+)\b.*$", "\1s"), 0s) <= 0s) {
            set req.http.X-Newsroom-Grace = "none";
            return (restart);
        }
    }
}

sub vcl_backend_fetch {
    if (!bereq.is_bgfetch && !std.healthy(bereq.backend)) {
        set bereq.backend = default_unprobed;
    }
}

sub vcl_backend_response {
    # Bans test the stored object (the ban lurker can apply them in the background).
    set beresp.http.X-Url = bereq.url;
    if (bereq.uncacheable) {
        return (deliver);  # admin and preview: passed as they are
    }
    # A 5xx, or the app's own last good copy while its database is away
    # (X-Newsroom-Stale), never takes the place of the copy in grace.
    if (beresp.status >= 500 || beresp.http.X-Newsroom-Stale) {
        if (bereq.is_bgfetch || bereq.http.X-Newsroom-Grace == "none") {
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Varnish has set the grace from stale-while-revalidate; stale-if-error may keep the
    # copy longer (it is only served that late when the app is sick or failing). What the
    # built-in VCL (which runs after this) will not store is left as it is.
    if (beresp.ttl > 0s && !beresp.http.Set-Cookie &&
            beresp.http.Cache-Control !~ "(?i)(no-cache|no-store|private)") {
        if (beresp.http.Cache-Control ~ "(?i)(^|[,\s])stale-if-error=\d+") {
            if (std.duration(regsub(beresp.http.Cache-Control,
                    "(?i)^(?:.*[,\s])?stale-if-error=(\d+)\b.*$", "\1s"), 0s) > beresp.grace) {
                set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
                    "(?i)^(?:.*[,\s])?stale-if-error=(\d+)\b.*$", "\1s"), 0s);
            }
        } else {
            set beresp.grace = 86400s;
        }
    }
}

sub vcl_backend_error {
    # The app could not be reached (or the probe says sick during a background fetch): the
    # copy in grace stays; the reader gets it after a restart, or else the page in vcl_synth.
    return (abandon);
}

sub vcl_synth {
    # The fetch of a page past its stale-while-revalidate failed: deliver the copy in grace.
    if (resp.status == 503 && req.http.X-Newsroom-Grace == "none") {
        set req.http.X-Newsroom-Grace = "full";
        return (restart);
    }
    if (resp.status >= 500) {
        set resp.status = 503;
        set resp.http.Content-Type = "text/html; charset=utf-8";
        set resp.http.Retry-After = "30";
        set resp.http.Cache-Control = "no-store";
        set resp.body = {"<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Vorübergehend nicht erreichbar</title></head>
<body>
<h1>Vorübergehend nicht erreichbar</h1>
<p>Diese Seite kann gerade nicht geladen werden. Bitte versuchen Sie es in einer halben Minute erneut.</p>
</body>
</html>
"};
        return (deliver);
    }
}

sub vcl_deliver {
    unset resp.http.X-Url;
    if (obj.hits > 0 && obj.ttl < 0s) {
        # past max-age: within stale-while-revalidate, or in grace while the app fails
        set resp.http.X-Cache = "STALE";
        set resp.http.Warning = {"110 - "Response is Stale""};
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
