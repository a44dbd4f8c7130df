package extract_test

import (
	"testing"

	"github.com/vcenrich/vcenrich/extract"
	"github.com/vcenrich/vcenrich/firm"
)

func TestMerge(t *testing.T) {
	cases := []struct {
		name  string
		lists [][]firm.Member
		want  []firm.Member
	}{
		{
			name: "middle initial and richer record",
			lists: [][]firm.Member{
				{{Name: "Jane Doe", SourceURL: "https://a.vc/about"}},
				{{Name: "Jane A. Doe", Title: "Partner", LinkedIn: "https://www.linkedin.com/in/janedoe", SourceURL: "https://a.vc/team"}},
			},
			want: []firm.Member{{Name: "Jane A. Doe", Title: "Partner", LinkedIn: "https://www.linkedin.com/in/janedoe", SourceURL: "https://a.vc/team"}},
		},
		{
			name: "same LinkedIn, different casing of the name, fields filled from the duplicate",
			lists: [][]firm.Member{
				{{Name: "JOHN SMITH", Title: "Principal", LinkedIn: "https://www.linkedin.com/in/JohnSmith/"}},
				{{Name: "Johnny Smith", Email: "john@a.vc", LinkedIn: "https://linkedin.com/in/johnsmith"}},
			},
			want: []firm.Member{{Name: "JOHN SMITH", Title: "Principal", LinkedIn: "https://www.linkedin.com/in/JohnSmith/", Email: "john@a.vc"}},
		},
		{
			name: "accents, punctuation, honorifics and suffixes",
			lists: [][]firm.Member{
				{{Name: "Dr. José  Núñez-García"}, {Name: "Sean O'Brien"}},
				{{Name: "Jose Nunez Garcia", Title: "Partner"}, {Name: "Sean OBrien Jr.", Email: "sean@a.vc"}},
			},
			want: []firm.Member{
				{Name: "Jose Nunez Garcia", Title: "Partner"},
				{Name: "Sean OBrien Jr.", Email: "sean@a.vc"},
			},
		},
		{
			name: "a shared LinkedIn does not merge unrelated names",
			lists: [][]firm.Member{{
				{Name: "Alice Brown", LinkedIn: "https://www.linkedin.com/in/founder"},
				{Name: "Carlos Diaz", LinkedIn: "https://www.linkedin.com/in/founder"},
			}},
			want: []firm.Member{
				{Name: "Alice Brown", LinkedIn: "https://www.linkedin.com/in/founder"},
				{Name: "Carlos Diaz", LinkedIn: "https://www.linkedin.com/in/founder"},
			},
		},
		{
			name: "order of first appearance, empty names dropped, first record wins ties",
			lists: [][]firm.Member{
				{{Name: "Zed Young", Title: "Associate"}, {Name: "  "}, {Name: "Amy Lowe", Title: "Partner"}},
				{{Name: "Zed Young", Title: "Analyst"}},
			},
			want: []firm.Member{{Name: "Zed Young", Title: "Associate"}, {Name: "Amy Lowe", Title: "Partner"}},
		},
		{name: "nothing", lists: nil, want: []firm.Member{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := extract.Merge(c.lists...)
			if len(got) != len(c.want) {
				t.Fatalf("Merge = %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("Merge[%d] = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}
