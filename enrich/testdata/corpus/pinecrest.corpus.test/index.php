<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Pinecrest Seed Fund</title>
<script src="/js/menu.js"></script>
</head>
<body>
<div id="wrapper">
  <div id="header"><a href="/"><img src="/logo.png" alt="Pinecrest Seed Fund"></a></div>
  <div id="menu">
    <form action="#"><select name="go" onchange="window.location=this.value">
      <option value="/">Home</option>
      <option value="/about-us.php">About Us</option>
      <option value="/companies.php">Companies</option>
      <option value="/contact.php">Contact</option>
    </select></form>
  </div>
  <div id="main">
    <h1>Seed capital for the Pacific Northwest</h1>
    <p>Pinecrest Seed Fund invests $250,000 to $750,000 in first-time founders in Washington and Oregon, usually as the first institutional money in. We are a seed fund run by former founders.</p>
    <p><a href="/companies.php">See the companies we have backed</a> or <a href="/contact.php">send us your plan</a>.</p>
  </div>
  <div id="footer">&copy; 2024 Pinecrest Seed Fund LLC &middot; <a href="/privacy.php">Privacy</a></div>
</div>
</body>
</html>
