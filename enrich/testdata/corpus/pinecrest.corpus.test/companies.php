<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Companies | Pinecrest Seed Fund</title></head>
<body>
<div id="wrapper">
  <div id="header"><a href="/"><img src="/logo.png" alt="Pinecrest Seed Fund"></a></div>
  <div id="main">
    <h1>Companies</h1>
    <ul class="companies">
      <li><a href="http://www.salmonberry.io/">Salmonberry</a> &ndash; grocery logistics</li>
      <li><a href="http://cascadiarobotics.com/">Cascadia Robotics</a> &ndash; warehouse robots</li>
      <li><a href="http://www.rainshadowhealth.com/">Rain Shadow Health</a> &ndash; rural telehealth</li>
    </ul>
  </div>
</div>
</body>
</html>
