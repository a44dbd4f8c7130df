package crawl

import "net"

// NewWithResolver lets tests answer DNS lookups without a network.
func NewWithResolver(cfg Config, r *net.Resolver) (*Fetcher, error) {
	return newFetcher(cfg, r)
}
