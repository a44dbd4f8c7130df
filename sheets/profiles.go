package sheets

import (
	"net/url"
	"strings"

	"github.com/vcenrich/vcenrich/internal/urlkey"
)

// A website cell in a real list is often not the firm's site but its page
// on a network or directory: a LinkedIn company page, an AngelList profile,
// a Crunchbase entry, a link hub. Crawling those would read the network's
// pages, not the firm's, so they are recognised at upload.

// profileHosts are the networks and directories whose pages a list gives
// as a firm's website, with the name a person knows them by.
var profileHosts = map[string]string{
	"linkedin.com": "LinkedIn", "lnkd.in": "LinkedIn",
	"wellfound.com": "Wellfound (AngelList)", "angel.co": "AngelList", "angellist.com": "AngelList",
	"crunchbase.com": "Crunchbase", "pitchbook.com": "PitchBook", "dealroom.co": "Dealroom", "f6s.com": "F6S",
	"signal.nfx.com": "NFX Signal", "cbinsights.com": "CB Insights", "tracxn.com": "Tracxn",
	"twitter.com": "X/Twitter", "x.com": "X/Twitter", "facebook.com": "Facebook", "fb.com": "Facebook",
	"instagram.com": "Instagram", "medium.com": "Medium", "substack.com": "Substack", "about.me": "about.me",
	"youtube.com": "YouTube", "tiktok.com": "TikTok", "threads.net": "Threads", "github.com": "GitHub",
	"t.me": "Telegram", "bsky.app": "Bluesky",
}

// linkHosts are link hubs: one page of links to a person's or firm's
// profiles, which names no website of its own.
var linkHosts = map[string]bool{
	"linktr.ee": true, "beacons.ai": true, "bio.link": true, "lnk.bio": true, "linkin.bio": true,
	"taplink.cc": true, "campsite.bio": true, "solo.to": true, "linkbio.co": true, "msha.ke": true,
}

// profile says what a normalised website is when it is not a firm's own
// site: the network's name, whether it is a link hub, and the firm's
// LinkedIn company page when it is one.
type profile struct {
	network  string
	hub      bool
	linkedIn string
}

// profileOf recognises a network or directory page; ok is false for any
// other website.
func profileOf(site string) (profile, bool) {
	u, err := url.Parse(site)
	if err != nil {
		return profile{}, false
	}
	host := urlkey.Site(u.Hostname())
	for h := host; h != ""; {
		if linkHosts[h] {
			return profile{network: "a link hub (" + h + ")", hub: true}, true
		}
		if name, ok := profileHosts[h]; ok {
			p := profile{network: name}
			if name == "LinkedIn" {
				segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
				if len(segs) >= 2 && (segs[0] == "company" || segs[0] == "school" || segs[0] == "showcase") {
					p.linkedIn = "https://www.linkedin.com/" + segs[0] + "/" + segs[1]
				}
			}
			return p, true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return profile{}, false
}
