package extract_test

import (
	"net/url"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
)

// Pages shaped as the frameworks emit them: the body is an empty app root
// and the people are only in the data the framework inlines.
func TestEmbeddedPeople(t *testing.T) {
	cases := []struct {
		name, html string
	}{
		{"next pages router", `<html><body><div id="__next"></div>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"team":[
{"name":"Jane Okafor","role":"Managing Partner","linkedin":"https://www.linkedin.com/in/janeokafor"},
{"name":"Tom Reyes","role":"Principal","socials":[{"type":"linkedin","url":"https://uk.linkedin.com/in/tomreyes/"}]}]}},"page":"/team","buildId":"b1"}</script>
<script src="/_next/static/chunks/main.js"></script></body></html>`},
		{"next app router", `<html><body><div id="__next"></div>
<script>self.__next_f.push([1,"6:[\"$\",\"section\",null,{\"children\":[[\"$\",\"div\",\"0\",{\"person\":{\"name\":\"Jane Okafor\",\"title\":\"Managing Partner\",\"linkedin\":\"https://www.linkedin.com/in/janeokafor\"}}],[\"$\",\"div\",\"1\",{\"person\":{\"name\":\"Tom Reyes\",\"title\":\"Principal\",\"linkedin\":\"https://www.linkedin.com/in/tomreyes\"}}]]}]\n"])</script></body></html>`},
		{"nuxt 3", `<html><body><div id="__nuxt"></div>
<script type="application/json" id="__NUXT_DATA__" data-ssr="true">[["ShallowReactive",1],{"data":2},["ShallowReactive",3],{"team":4},[5,9],{"name":6,"position":7,"linkedin":8},"Jane Okafor","Managing Partner","https://www.linkedin.com/in/janeokafor",{"name":10,"position":11,"linkedin":12},"Tom Reyes","Principal","https://www.linkedin.com/in/tomreyes"]</script></body></html>`},
		{"nuxt 2", `<html><body><div id="__nuxt"></div>
<script>window.__NUXT__={layout:"default",data:[{team:[{name:"Jane Okafor",jobTitle:"Managing Partner",linkedin:"https://www.linkedin.com/in/janeokafor"},{name:"Tom Reyes",jobTitle:"Principal",linkedin:"https://www.linkedin.com/in/tomreyes"}]}],serverRendered:true}</script></body></html>`},
		{"next app router, translated roles", `<html lang="fr"><body><div id="__next"></div>
<script>self.__next_f.push([1,"7:{\"executiveBoard\":[{\"id\":\"a\",\"name\":\"Jane Okafor\",\"role\":{\"fr\":\"Managing Partner\",\"en\":\"Partner\"},\"linkedin\":\"https://www.linkedin.com/in/janeokafor\"},{\"id\":\"b\",\"name\":\"Tom Reyes\",\"role\":{\"fr\":\"Principal\",\"en\":\"Associate\"},\"linkedin\":\"https://www.linkedin.com/in/tomreyes\"}]}\n"])</script></body></html>`},
		{"jekyll front matter served as it is", `---
layout: team
title: Our Team
team_members:
  - name: "Jane Okafor"
    title: "Managing Partner"
    linkedin: "https://www.linkedin.com/in/janeokafor/"
    experience:
      - "Former Partner at Acme Ventures"
  - name: "Tom Reyes"
    title: "Principal"
    linkedin: "https://www.linkedin.com/in/tomreyes"
---
{% include header.html %}
<div class="team">{% for m in page.team_members %}<h3>{{ m.name }}</h3>{% endfor %}</div>`},
		{"php array in a template served as it is", `<html><body><section class="team"><?php require_once('header.php'); ?>
<?php
	$teams = [
		[
			"name" => "Jane Okafor",
			"role" => 'Managing Partner',
			"image" => "jane.jpg",
			"linkedin" => "https://www.linkedin.com/in/janeokafor",
		],
		[
			"name" => "Tom Reyes",
			"role" => "Principal",
			"image" => "tom.jpg",
			"linkedin" => "https://www.linkedin.com/in/tomreyes"
		],
	];
	foreach ($teams as $t) { echo "<h3>" . $t["name"] . "</h3>"; }
?></section></body></html>`},
		{"script object", `<html><body><div id="app"></div>
<script>const team = {"jane": {"name": "Jane Okafor", "title": "Managing Partner", "linkedin": "https://www.linkedin.com/in/janeokafor"}, "tom": {"name": "Tom Reyes", "title": "Principal", "linkedin": "https://www.linkedin.com/in/tomreyes"}};
document.getElementById("app").innerHTML = render(team);</script></body></html>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse("https://acme.vc/team")
			p, err := extract.Parse([]byte(c.html), u)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range p.Members {
				got[m.Name] = m.Title + "|" + m.LinkedIn
			}
			want := map[string]string{
				"Jane Okafor": "Managing Partner|https://www.linkedin.com/in/janeokafor",
				"Tom Reyes":   "Principal|https://www.linkedin.com/in/tomreyes",
			}
			if len(got) != len(want) {
				t.Fatalf("members %+v, want %v", p.Members, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

// Data objects fill in what the markup leaves out, and only for the same
// person; a name alone in the data (an author, a company) is no one.
func TestEmbeddedFillsCards(t *testing.T) {
	const page = `<html><body><h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Managing Partner</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div></div>
<script>var bios = {"jane": {"name": "Jane Okafor", "title": "Managing Partner", "linkedin": "https://www.linkedin.com/in/janeokafor"},
"post": {"name": "Ada Writer"}, "advisor": {"name": "Sam Hill", "title": "Senior Advisor", "linkedin": "https://www.linkedin.com/in/samhill"}};</script>
</body></html>`
	u, _ := url.Parse("https://acme.vc/team")
	p, err := extract.Parse([]byte(page), u)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Members) != 2 {
		t.Fatalf("members %+v", p.Members)
	}
	for _, m := range p.Members {
		want := ""
		if m.Name == "Jane Okafor" {
			want = "https://www.linkedin.com/in/janeokafor"
		}
		if m.LinkedIn != want {
			t.Errorf("%s: LinkedIn %q, want %q", m.Name, m.LinkedIn, want)
		}
	}
}

// A list of records each with a person's name and a photo, and no website,
// is a roster even without titles; a list of companies with logos and
// websites is not.
func TestPhotoRoster(t *testing.T) {
	const page = `<html><body><div id="app"></div><script>
var team = [{"name": "Jane Okafor", "image": "jane.jpg", "text": "Investor since 2010."}, {"name": "Tom Reyes", "image": "tom.jpg", "text": "Engineer."}];
var portfolio = [{"name": "Arbor Analytics", "image": "arbor.png", "website": "https://arbor.example"}, {"name": "Tidal Freight", "image": "tidal.png", "website": "https://tidal.example"}];
</script></body></html>`
	u, _ := url.Parse("https://acme.vc/team")
	p, err := extract.Parse([]byte(page), u)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range p.Members {
		names = append(names, m.Name)
	}
	if len(names) != 2 || names[0] != "Jane Okafor" || names[1] != "Tom Reyes" {
		t.Errorf("members %v", names)
	}
}
