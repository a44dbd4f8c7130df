package extract_test

import (
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/extract"
)

// Structures seen on real firm sites, each in a small page of that shape:
// who comes out as team, with what title and LinkedIn.
func TestRealPageShapes(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // "Name|Title|LinkedIn", sorted
	}{
		{"first and last name stacked, photo titled", `<h2>Time</h2>
<dl><dt>Dany<br>Roizman</dt><dd><img src="a.jpg" title="Dany Roizman"><p>Sócio-fundador, brasileiro, 25 anos de experiência no mercado financeiro e em bancos.</p></dd></dl>
<dl><dt>Laurent Cudré<br>Mauroux, CEO</dt><dd><img src="b.jpg" title="Laurent Cudré-Mauroux, CEO"><p>Sócio, CEO Suíça, com 32 anos de experiência no mercado financeiro e em bancos.</p></dd></dl>
<dl><dt>Ana<br>Werneck</dt><dd><img src="c.jpg" title="Ana Werneck"><p>Formada em economia, trabalhou na UBS mais de cinco anos em Genebra e Zurique.</p></dd></dl>`,
			[]string{"Ana Werneck||", "Dany Roizman|Sócio-fundador|", "Laurent Cudré Mauroux|CEO|"}},
		{"copied LinkedIn of a colleague", `<h2>Team</h2><div class="grid">
<div class="card"><h3>Melissa Ludwig</h3><p>Chair</p><a href="https://www.linkedin.com/in/melissa-ludwig-32971666">in</a></div>
<div class="card"><h3>Eric Rugart</h3><p>Vice Chair</p><a href="https://www.linkedin.com/in/melissa-ludwig-32971666">in</a></div></div>`,
			[]string{"Eric Rugart|Vice Chair|", "Melissa Ludwig|Chair|https://www.linkedin.com/in/melissa-ludwig-32971666"}},
		{"links beside the name block, utility classes", `<h2>Meet Our Team</h2><div class="grid"><div class="group"><div class="card">
<div class="text-center"><h3 class="text-xl text-brand-red group-hover:text-brand-red">Domenic Giovanzana</h3><p class="font-medium">Founding Partner</p></div>
<div class="flex"><a href="https://www.linkedin.com/in/dgiovanzana"><svg></svg></a></div></div></div></div>`,
			[]string{"Domenic Giovanzana|Founding Partner|https://www.linkedin.com/in/dgiovanzana"}},
		{"quote speaker and names in prose", `<h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Partner</p><p>Jane was named by <em>Business Week</em> as one of the best stock pickers in the country, and she speaks often.</p></div>
<div class="card"><h3>Tom Reyes</h3><p>Principal</p></div></div>
<div class="callout-statement"><p>"It is not the critic who counts."</p><span class="speaker">THEODORE ROOSEVELT</span><span class="position">26th President of the United States</span></div>`,
			[]string{"Jane Okafor|Partner|", "Tom Reyes|Principal|"}},
		{"a name heading over a bio, no title", `<div class="title">About Us</div><div class="about">
<h2>Sanjay Krishnan</h2><img src="s.png" alt="Sanjay Krishnan Headshot">
<p>Sanjay Krishnan is an accomplished product and engineering leader based in Los Altos, with expertise in scaling companies.</p>
<h2>Our Approach</h2><p>We invest early and stay long, working closely with a small number of founders every year.</p></div>`,
			[]string{"Sanjay Krishnan||"}},
		{"hidden by a class or style counts, a commented-out card does not", `<h2>Team</h2>
<div class="tabs"><div class="tab-pane hidden"><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Partner</p></div>
<div class="card" style="display:none"><h3>Tom Reyes</h3><p>Principal</p></div>
<!-- <div class="card"><h3>Old Member</h3><p>Partner</p></div> -->
</div></div></div>`,
			[]string{"Jane Okafor|Partner|", "Tom Reyes|Principal|"}},
		{"named only in prose", `<h1>Management</h1>
<p>Sterling Equity is owned by management and runs a single strategy for all clients.</p>
<p>Founder Nicolas West holds degrees from The University of Melbourne. He has more than 20 years of experience with listed equities.</p>
<p>Dr. Jane Roe is a physician and investor. She joined in 2019 after a decade in medicine.</p>`,
			[]string{"Jane Roe||", "Nicolas West|Founder|"}},
		{"companies in prose are not people", `<h1>Portfolio</h1>
<p>Acme Robotics is a maker of warehouse robots. The company was founded in 2015 and sells to retailers.</p>
<p>Tidal Freight has built a network of ports across Europe, and its customers ship every day.</p>`,
			nil},
		{"title broken over two lines", `<h2>Executive Committee</h2><div class="grid">
<div class="card"><h2>Robert Ciaruffoli, CPA</h2><p><strong>Founder, Vice Chair, and Chair – <br>BSA Screening Committee</strong><br><em>Former Chairman and CEO of <br>Parente Beard</em></p></div>
<div class="card"><h2>Doc Parghi</h2><p><strong>Founder, Chair</strong><br><em>Managing Director at Acme Health</em></p></div></div>`,
			[]string{"Doc Parghi|Founder, Chair|", "Robert Ciaruffoli, CPA|Founder, Vice Chair, and Chair – BSA Screening Committee|"}},
		{"names listed under a team heading", `<h4>公司团队</h4><ul class="menu"><li><a href="#a">余治华</a></li><li><a href="#b">徐光宇</a></li><li><a href="#c">张发明</a></li></ul>
<h3>Our Staff</h3><ul><li>Jane Doe, CPA</li><li>John Roe</li><li>Ann Lee, RDH</li></ul>
<h3>Advisors</h3><ul><li>Sam Hill</li><li>Ada Lane</li><li>Bo Chen</li></ul>
<h3>Our Partners</h3><ul><li>Acme Corp</li><li>Read more</li><li>Tidal Freight</li><li>Contact us</li></ul>`,
			[]string{"Ann Lee, RDH||", "Jane Doe, CPA||", "John Roe||", "余治华||", "张发明||", "徐光宇||"}},
		{"title above the name", `<section><h1 class="section-title">Meet the Partners</h1><div class="team">
<div class="card"><img src="g.jpg" alt="Gynell Schaner"><div class="card__content">
<h3 class="secondary-title">director, investor, syndicator</h3><h5 class="card__content--subtitle">Gynell Schaner</h5>
<p>My love for real estate investing was born when I read a book as a teen, and I have invested ever since then.</p></div></div>
<div class="card more"><p>Contact us to learn about our other partners</p></div></div></section>`,
			[]string{"Gynell Schaner|director, investor, syndicator|"}},
		{"an affiliate in the grid, titled at his own company", `<p class="section-label">Team</p><div class="grid">
<div class="team-card"><div class="team-name">Nick Diaz</div><div class="team-title">Founder &amp; Chief Investment Officer</div></div>
<div class="team-card"><div class="team-name">Ashley Schott</div><div class="team-title">Managing Director &amp; Chief Compliance Officer</div></div>
<div class="team-card"><div class="team-name">Cong Vo</div><div class="team-title">Principal, Rookery Management Group</div></div>
<div class="team-card"><div class="team-name">Jane Okafor</div><div class="team-title">Director, Private Investments</div></div></div>`,
			[]string{"Ashley Schott|Managing Director & Chief Compliance Officer|", "Jane Okafor|Director, Private Investments|", "Nick Diaz|Founder & Chief Investment Officer|"}},
		{"titles that name organisations routinely say nothing of who is staff", `<h2>Team</h2><div class="grid">
<div class="card"><h3>John Leggett</h3><p>Managing Partner, Acme Capital Partners</p></div>
<div class="card"><h3>Brian Weinberg</h3><p>Partner, Acme Capital Partners</p></div>
<div class="card"><h3>Brad Elmore</h3><p>Managing Principal, NewFound Partners</p></div></div>`,
			[]string{"Brad Elmore|Managing Principal, NewFound Partners|", "Brian Weinberg|Partner, Acme Capital Partners|", "John Leggett|Managing Partner, Acme Capital Partners|"}},
		{"'Meet' headings, names in separate elements, a title over <br>, an icon-only link on a country subdomain", `<h2>Team</h2><div class="grid">
<div class="card"><h3>Meet Jane Doe</h3><p>Managing<br>Partner</p><a href="https://uk.linkedin.com/in/janedoe"><i class="fa fa-linkedin"></i></a></div>
<div class="card"><h3><span class="first-name">Tom</span> <span class="last-name">Reyes</span></h3><p>Principal</p></div></div>`,
			[]string{"Jane Doe|Managing Partner|https://www.linkedin.com/in/janedoe", "Tom Reyes|Principal|"}},
		{"cards that are not people", `<h2>Team</h2><div class="grid">
<div class="card"><h3>Jane Doe</h3><p>Managing Partner</p></div><div class="card"><h3>Biscuit</h3><p>Office Dog</p></div>
<div class="card"><h3>Your Name Here</h3><p>Join us: we are hiring an Associate</p></div><div class="card"><h3>Tom Reyes</h3><p>Principal</p></div></div>`,
			[]string{"Jane Doe|Managing Partner|", "Tom Reyes|Principal|"}},
		{"independent board members", `<h2>Investment Committee</h2><div class="grid">
<div class="card"><h3>Jane Okafor</h3><p>Chief Investment Officer</p></div>
<div class="card"><h3>Bruce Ndidi</h3><p>Independent IC Chairman</p></div>
<div class="card"><h3>Rose Liywalii</h3><p>Independent Non-Executive Director</p></div></div>`,
			[]string{"Jane Okafor|Chief Investment Officer|"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, _ := url.Parse("https://acme.vc/team")
			p, err := extract.Parse([]byte("<html><body><main>"+c.body+"</main></body></html>"), u)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range p.Members {
				got = append(got, m.Name+"|"+m.Title+"|"+m.LinkedIn)
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("members\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
