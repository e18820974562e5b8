// A Chinese drop zone (no Streamlit uploader chrome). Two modes:
//  "post":   each file is POSTed as the raw body to data.url (same-origin, session cookie);
//            the JSON answers are handed to Python as the "done" trigger.
//  "inline": small files are read in the browser and handed to Python as base64 ("files").
// Every check (size, type, content, ownership) is made on the server; this only carries bytes.
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const zone = parentElement.querySelector(".wx-drop");
  const input = parentElement.querySelector(".wx-drop-input");
  const status = parentElement.querySelector(".wx-drop-status");
  const texts = data.texts;
  parentElement.querySelector(".wx-drop-title").textContent = texts.title;
  parentElement.querySelector(".wx-drop-hint").textContent = texts.hint || "";
  parentElement.querySelector(".wx-drop-button").textContent = texts.button;
  zone.setAttribute("aria-label", texts.title);
  input.accept = data.accept || "";
  input.multiple = Boolean(data.multiple);

  let busy = false;

  async function postAll(files) {
    const results = [];
    for (let i = 0; i < files.length; i += 1) {
      const file = files[i];
      status.textContent = fill(texts.progress, { i: i + 1, n: files.length, name: file.name });
      let answer;
      try {
        const response = await fetch(data.url, {
          method: "POST",
          body: file,
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/octet-stream",
            "X-File-Name": encodeURIComponent(file.name),
          },
        });
        answer = await response.json();
      } catch (error) {
        answer = { ok: false, message: fill(texts.failed, { name: file.name }) };
      }
      results.push({ name: file.name, ok: Boolean(answer.ok), message: String(answer.message || "") });
    }
    setTriggerValue("done", { results, at: Date.now() });
  }

  async function readAll(files) {
    const out = [];
    for (const file of files) {
      // Too large to carry: sent without content, so Python refuses it with the size.
      const content = file.size > data.maxBytes ? null : await readBase64(file);
      out.push({ name: file.name, size: file.size, content });
    }
    setTriggerValue("files", { files: out, at: Date.now() });
  }

  async function take(fileList) {
    const files = Array.from(fileList || []);
    if (busy || files.length === 0) return;
    busy = true;
    zone.classList.add("wx-busy");
    status.textContent = texts.busy;
    try {
      if (data.mode === "inline") await readAll(data.multiple ? files : files.slice(0, 1));
      else await postAll(files);
    } finally {
      busy = false;
      zone.classList.remove("wx-busy");
      status.textContent = "";
    }
  }

  // Property handlers (not addEventListener): a rerun that calls this again replaces them.
  zone.onclick = (event) => {
    if (event.target !== input && !busy) input.click();
  };
  zone.onkeydown = (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (!busy) input.click();
    }
  };
  zone.ondragover = (event) => {
    event.preventDefault();
    zone.classList.add("wx-over");
  };
  zone.ondragleave = () => zone.classList.remove("wx-over");
  zone.ondrop = (event) => {
    event.preventDefault();
    zone.classList.remove("wx-over");
    take(event.dataTransfer ? event.dataTransfer.files : []);
  };
  input.onchange = () => {
    const files = Array.from(input.files || []);
    input.value = "";
    take(files);
  };
  return () => {
    zone.onclick = zone.onkeydown = zone.ondragover = zone.ondragleave = zone.ondrop = null;
    input.onchange = null;
  };
}
