<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>About Us | Pinecrest Seed Fund</title>
</head>
<body>
<div id="wrapper">
  <div id="header"><a href="/"><img src="/logo.png" alt="Pinecrest Seed Fund"></a></div>
  <div id="menu"><ul><li><a href="/">Home</a></li><li><a href="/about-us.php">About Us</a></li><li><a href="/companies.php">Companies</a></li></ul></div>
  <div id="main">
    <h1>About Us</h1>
    <p>Pinecrest Seed Fund was formed in 2012 by a group of Pacific Northwest entrepreneurs to back the region's first-time founders with capital and candid advice.</p>
    <h2>Our Partners</h2>
    <ul class="plain">
      <li>Gregory Hale – Managing Partner</li>
      <li>Anne-Marie Duval – Partner</li>
      <li>Wei Zhang – Partner &amp; Chief Financial Officer</li>
    </ul>
    <h2>Staff</h2>
    <p>Jordan Blake, Associate</p>
    <p>Kim Tran | Office Manager</p>
    <h2>Advisors</h2>
    <ul class="plain">
      <li><strong>Harriet Osei</strong> — former CEO, Cascade Bank</li>
      <li><strong>Victor Ruiz</strong> — Professor of Entrepreneurship, University of Washington</li>
    </ul>
    <h2>Contact</h2>
    <p>Pinecrest Seed Fund, 1201 Third Avenue, Seattle, WA 98101 &middot; <a href="mailto:info@pinecrestseed.com">info@pinecrestseed.com</a></p>
  </div>
  <div id="footer">&copy; 2024 Pinecrest Seed Fund LLC</div>
</div>
</body>
</html>
