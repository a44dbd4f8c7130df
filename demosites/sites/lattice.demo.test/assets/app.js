// Renders the people grid from the page's structured data so the content is
// maintained in one place.
(function () {
  var root = document.getElementById("people-root");
  if (!root) return;
  var scripts = document.querySelectorAll('script[type="application/ld+json"]');
  var people = [];
  scripts.forEach(function (s) {
    try {
      var data = JSON.parse(s.textContent);
      if (data["@type"] === "Organization" && Array.isArray(data.employee)) people = data.employee;
    } catch (e) { /* ignore malformed blocks */ }
  });
  root.innerHTML = "";
  people.forEach(function (p) {
    var card = document.createElement("article");
    card.className = "card";
    var img = document.createElement("img");
    img.src = p.image || "";
    img.alt = p.name;
    var h = document.createElement("h3");
    h.textContent = p.name;
    var t = document.createElement("p");
    t.textContent = p.jobTitle || "";
    card.appendChild(img);
    card.appendChild(h);
    card.appendChild(t);
    root.appendChild(card);
  });
})();
