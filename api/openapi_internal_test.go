package api

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/api/answer"
	"github.com/vcenrich/vcenrich/contract"
	"github.com/vcenrich/vcenrich/sheets"
)

// The OpenAPI description must name exactly the fields the handlers send:
// each schema's properties against the JSON fields of the type that
// answers with it. A field added to or removed from an answer fails here
// until the description says so too.
func TestOpenAPIMatchesAnswerTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	cases := []struct {
		schema string
		path   []string // into nested array items or objects
		typ    any
	}{
		{"Preview", nil, answer.Preview{}},
		{"Preview", []string{"samples"}, answer.Sample{}},
		{"Preview", []string{"duplicates"}, answer.Duplicate{}},
		{"Preview", []string{"duplicate_firms"}, sheets.Duplicate{}},
		{"Mapping", nil, answer.Mapping{}},
		{"Rejected", nil, sheets.Rejected{}},
		{"Created", nil, answer.Created{}},
		{"Job", nil, answer.Job{}},
		{"JobSummary", nil, answer.JobSummary{}},
		{"Links", nil, answer.Links{}},
		{"Error", nil, answer.Error{}},
		{"Alert", nil, Alert{}},
		{"Health", nil, health{}},
		{"Probe", nil, probe{}},
		{"RowsPage", nil, rowsPage{}},
		{"Glance", nil, answer.Glance{}},
		{"GlanceCoverage", nil, answer.GlanceCoverage{}},
		{"Timeline", nil, answer.Timeline{}},
		{"Count", nil, answer.Count{}},
		{"FirmDetail", nil, answer.FirmDetail{}},
		{"FirmPage", nil, answer.FirmPage{}},
		{"FirmPerson", nil, answer.FirmPerson{}},
		{"FirmCompany", nil, answer.FirmCompany{}},
		{"Watch", nil, answer.Watch{}},
		{"WatchLinks", nil, answer.WatchLinks{}},
		{"WatchList", nil, answer.WatchList{}},
	}
	for _, c := range cases {
		name := strings.Join(append([]string{c.schema}, c.path...), ".")
		s, ok := doc.Components.Schemas[c.schema]
		if !ok {
			t.Errorf("%s: no such schema", c.schema)
			continue
		}
		for _, p := range c.path {
			next, ok := s.Properties[p]
			if !ok {
				t.Fatalf("%s: no property %s", name, p)
			}
			if next.Items != nil {
				next = *next.Items
			}
			s = next
		}
		var documented []string
		for k := range s.Properties {
			documented = append(documented, k)
		}
		sent := jsonFields(reflect.TypeOf(c.typ))
		slices.Sort(documented)
		slices.Sort(sent)
		if !slices.Equal(documented, sent) {
			t.Errorf("%s: the description has %v, the handler sends %v", name, documented, sent)
		}
	}
}

// openAPI is the part of the description the tests read.
type openAPI struct {
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) openAPI {
	t.Helper()
	raw, err := os.ReadFile("web/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

type schema struct {
	Properties map[string]schema `json:"properties"`
	Items      *schema           `json:"items"`
	Enum       []string          `json:"enum"`
}

// The statuses the description lists are the contract's.
func TestOpenAPIStatusesAreTheContracts(t *testing.T) {
	doc := loadOpenAPI(t)
	got := doc.Components.Schemas["Status"].Enum
	if !slices.Equal(got, contract.Statuses()) {
		t.Errorf("the description's statuses are %v, the contract's %v", got, contract.Statuses())
	}
}

// jsonFields are the names encoding/json gives t's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tag == "-":
		case f.Anonymous && tag == "":
			out = append(out, jsonFields(f.Type)...)
		case tag != "":
			out = append(out, tag)
		default:
			out = append(out, f.Name)
		}
	}
	return out
}
