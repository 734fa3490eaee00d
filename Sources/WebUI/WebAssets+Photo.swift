extension WebAssets {
    /// The photo forms' script: a camera's picture is several megabytes, more than the core keeps
    /// (512 KiB) or a form takes (1 MiB), so a file over 400 KiB is drawn again at most 1024 pixels
    /// a side and sent as a JPEG (which drops its metadata too), a lower quality tried while it is
    /// still too big. The send button waits meanwhile. Without the script the file goes as it is,
    /// and the core says when it is too big.
    static let photoScript = """
        (function () {
          "use strict";
          var LIMIT = 400 * 1024, SIDE = 1024, QUALITIES = [0.85, 0.7, 0.55, 0.4];
          function encode(canvas, index, done) {
            canvas.toBlob(function (blob) {
              if (blob && blob.size > LIMIT && index + 1 < QUALITIES.length) { return encode(canvas, index + 1, done); }
              done(blob);
            }, "image/jpeg", QUALITIES[index]);
          }
          function shrink(input) {
            var file = input.files && input.files[0];
            if (!file || file.size <= LIMIT || !window.createImageBitmap || !window.DataTransfer) { return; }
            var button = input.form.querySelector("button[type=submit]");
            button.disabled = true;
            // Turned upright as the camera said (its EXIF goes with the redrawing).
            createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
              var scale = Math.min(1, SIDE / Math.max(bitmap.width, bitmap.height));
              var canvas = document.createElement("canvas");
              canvas.width = Math.max(1, Math.round(bitmap.width * scale));
              canvas.height = Math.max(1, Math.round(bitmap.height * scale));
              canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
              encode(canvas, 0, function (blob) {
                if (blob) {
                  var name = (file.name || "foto").replace(/\\.[^.]*$/, "") + ".jpg";
                  var list = new DataTransfer();
                  list.items.add(new File([blob], name, { type: "image/jpeg" }));
                  input.files = list.files;
                }
                button.disabled = false;
              });
            }).catch(function () { button.disabled = false; });
          }
          Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-shrink]"), function (input) {
            input.addEventListener("change", function () { shrink(input); });
          });
        })();
        """
}
