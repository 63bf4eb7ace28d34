"""The "About" panel: the five capacities and the views, in plain words."""

import markdown

ABOUT_MARKDOWN = """
## What this dashboard shows

A synthetic community — residents in households and neighbourhoods, party members,
social organisations (NGOs), enterprises, government departments and the community
committee — is hit by the shocks of a **scenario** (a flood, an epidemic, an earthquake, a
heatwave, an economic crisis, or several in a row). You choose how the community is
governed with the **levers**, grouped below by the five capacities of community resilience,
or pick a whole **policy package** at once. Then run the days and watch how the community's
**structure** (who is still connected, which organisations still work), **function**
(residents' needs met: housing, health, income, services) and **relationships** (trust and
the strength of ties) hold and come back.

### The five capacities

1. **Prevention** — getting ready before anything happens: residents trained and drilled,
   risks assessed by professionals on a regular schedule, volunteer teams, and reserves of
   materials kept by the committee. *Good prevention means less damage when the shock
   comes.*
2. **Resistance** — holding together while it happens: party members in regular contact
   with the households they look after (and going first in an emergency), community
   activities that keep ties strong, an emergency command that pools the departments'
   resources, and facilities that keep working. *Good resistance means a shallower drop.*
3. **Adaptability** — noticing and adjusting quickly: channels for residents to report what
   they need, monitoring that gives early warning, freedom for grassroots organisations to
   change their plans without waiting, and households keeping their own supplies. *Good
   adaptability means needs are known sooner and help arrives sooner.*
4. **Recovery (multi-party mobilisation)** — everyone helping to rebuild: needs passed up
   and resources passed down quickly, departments sharing information and resources,
   neighbours helping neighbours, and outside organisations and enterprises welcome to join.
   *Good recovery means a faster return to normal.*
5. **Learning (creativity)** — getting better each time: after every event the committee
   looks at what went wrong and fixes its plan, tries variations in a few neighbourhoods,
   and applies the lessons quickly. *Good learning shows when the same hazard comes again:
   try the `recurring` scenario.*

### Reading the views

- **Monitors** (top): residents in need now (and the most so far), needs unmet, residents
  displaced from home, the time the community took to get back to within the recovery
  threshold of its level before the shock, the **resilience index** (the average level over
  the control window after the shock, 1 = nothing was lost) and the **loss of resilience**
  (the area lost under the curve, in quality-days; smaller is better).
- **Network** (left): a sample of households with every tie between them, grouped by
  neighbourhood (N1, N2, … with their hazard exposure). Colour shows each resident's
  function (the share of their needs that are met) or their need state; triangles are
  party members, diamonds social organisations, squares enterprises; red ties have been
  weakened below working strength, usually because someone was displaced. The boxes below
  show the committee, the four departments, the volunteer teams and the enterprises.
- **Curves** (right): structure, function, relationship and their average (combined),
  each a share of full performance — 1 is what a fixed reference community (the default
  community) has, so a community with fewer organisations or ties starts lower; shaded
  bands are the shock windows. Below, the number of residents in need and displaced.
- **Comparison**: switch on *Compare with the baseline package* to run the `baseline`
  package on the same seed, scenario and community beside your choice. Its curves are
  dashed, the difference (yours minus baseline) has its own panel, and each monitor shows
  the baseline's value and the difference — green where your choice does better. One seed
  is one community and one draw of chance: the **Compare over seeds** tab runs your
  settings and the baseline on many seeds, paired, and shows each difference with its 95%
  interval, calling it better or worse only where the interval excludes 0.

### Good to know

- Changing a setting restarts the run from day 0, so every curve on screen comes from one
  set of settings. The same settings and seed always give the same run, here, on the
  command line (`grassroots run`) or in a notebook.
- A seed is the number that fixes every random draw: change it to see another community
  of the same kind, hit by the same scenario.
- Hover over a lever's name for what it means, its unit and its allowed range. A value
  typed outside the range is refused with a message; nothing changes.
"""

ABOUT_HTML = markdown.markdown(ABOUT_MARKDOWN)
