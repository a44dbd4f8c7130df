package main

import (
	"fmt"
	"net/url"
	"os"

	"github.com/vcenrich/vcenrich/extract"
)

func main() {
	for _, f := range os.Args[1:] {
		b, _ := os.ReadFile(f)
		u, _ := url.Parse("http://x.test/page.html")
		p, err := extract.Parse(b, u)
		if err != nil {
			fmt.Println(f, err)
			continue
		}
		fmt.Println("==", f, "jsonly", p.JSOnly, "title", p.Title)
		for _, m := range p.Members {
			fmt.Printf("  M %q | %q | %s\n", m.Name, m.Title, m.LinkedIn)
		}
		for _, m := range p.Others {
			fmt.Printf("  O %q | %q | %s\n", m.Name, m.Title, m.LinkedIn)
		}
	}
}
