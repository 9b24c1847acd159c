# Varnish 7 in front of Newsroom Explainers (README "Caches in front").
# - Reader pages are cached as the app says (Cache-Control: public, max-age,
#   stale-while-revalidate), one copy per page: query parameters the pages do not read
#   are dropped, cookies are ignored outside the admin and the preview, and a plain
#   Accept-Language is reduced to the language the app would pick from it.
# - The app bans changed pages after every change readers may see (explainers/reader/purge.py):
#   a BAN request whose X-Ban-Url header is a regular expression over URL paths.
#   Only the addresses in the "purgers" ACL may send one.
vcl 4.1;

import std;

# The app server; `varnishd -b` is not used so the bans below apply.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
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

sub vcl_backend_response {
    # Bans test the stored object (the ban lurker can apply them in the background).
    set beresp.http.X-Url = bereq.url;
}

sub vcl_deliver {
    unset resp.http.X-Url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
