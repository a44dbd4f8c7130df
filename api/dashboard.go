package api

import (
	"embed"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
)

// web holds the dashboard: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web/index.html web/app.js web/app.css web/openapi.json
var web embed.FS

// dashboardCSP allows only this server's own scripts, styles and API: no
// inline script, so a job or firm name can never run as code.
const dashboardCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

var assetTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

func (s *Server) dashboard(c *gin.Context) {
	page, err := web.ReadFile("web/index.html")
	if err != nil {
		fail(c, http.StatusInternalServerError, "the dashboard is missing from this build")
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Security-Policy", dashboardCSP)
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
}

func (s *Server) asset(c *gin.Context) {
	name := c.Param("file")
	typ, ok := assetTypes[path.Ext(name)]
	if !ok {
		fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path)
		return
	}
	b, err := web.ReadFile("web/" + name)
	if err != nil {
		fail(c, http.StatusNotFound, "no such page: "+c.Request.URL.Path)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Security-Policy", dashboardCSP)
	c.Data(http.StatusOK, typ, b)
}

// openapi serves the API's description (OpenAPI 3.1).
func (s *Server) openapi(c *gin.Context) {
	b, err := web.ReadFile("web/openapi.json")
	if err != nil {
		fail(c, http.StatusInternalServerError, "the API description is missing from this build")
		return
	}
	c.Data(http.StatusOK, "application/json", b)
}
