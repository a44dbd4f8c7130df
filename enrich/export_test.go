package enrich

import (
	"context"
	"net/url"

	"github.com/vcenrich/vcenrich/extract"
)

// ParsePage lets benchmarks parse as the engine does, under its budget.
func ParsePage(e *Engine, body []byte, u *url.URL) (*extract.Page, error) {
	return e.parse(context.Background(), body, u)
}
