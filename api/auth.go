package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// sessionCookie carries the dashboard's proof of the token, set by
// POST /api/login so that plain links (workbook downloads) work too.
const sessionCookie = "vcenrich_session"

// sessionValue is what the cookie holds: derived from the token rather than
// the token itself, so the browser never stores the credential scripts and
// other clients use.
func sessionValue(token string) string {
	sum := sha256.Sum256([]byte("vcenrich dashboard session\x00" + token))
	return hex.EncodeToString(sum[:])
}

// same compares secrets in constant time, whatever their lengths.
func same(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return got != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// authed reports whether the request carries the API token, as a bearer
// header or as the dashboard's session cookie. Without a configured token
// every request is.
func (s *Server) authed(c *gin.Context) bool {
	if s.cfg.Token == "" {
		return true
	}
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && same(strings.TrimSpace(tok), s.cfg.Token)
	}
	if v, err := c.Cookie(sessionCookie); err == nil {
		return same(v, sessionValue(s.cfg.Token))
	}
	return false
}

func (s *Server) requireToken(c *gin.Context) {
	if s.authed(c) {
		c.Next()
		return
	}
	c.Header("WWW-Authenticate", `Bearer realm="vcenrich"`)
	fail(c, http.StatusUnauthorized, "this server needs its API token: send it as \"Authorization: Bearer TOKEN\", or sign in on the dashboard")
}

// login checks the token the dashboard's prompt sends and sets the session
// cookie: HttpOnly so scripts cannot read it, SameSite=Strict so other sites
// cannot send it.
func (s *Server) login(c *gin.Context) {
	if s.cfg.Token == "" {
		c.Status(http.StatusNoContent)
		return
	}
	var body struct {
		Token string `json:"token" form:"token"`
	}
	if err := c.ShouldBind(&body); err != nil || strings.TrimSpace(body.Token) == "" {
		fail(c, http.StatusBadRequest, "send the API token as JSON {\"token\": \"…\"} or as a form field named token")
		return
	}
	if !same(strings.TrimSpace(body.Token), s.cfg.Token) {
		fail(c, http.StatusUnauthorized, "that is not this server's API token")
		return
	}
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, sessionValue(s.cfg.Token), 0, "/api", "", c.Request.TLS != nil, true)
	c.Status(http.StatusNoContent)
}

func (s *Server) logout(c *gin.Context) {
	c.SetSameSite(http.SameSiteStrictMode)
	c.SetCookie(sessionCookie, "", -1, "/api", "", c.Request.TLS != nil, true)
	c.Status(http.StatusNoContent)
}
