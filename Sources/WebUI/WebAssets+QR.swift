/// The QR code encoder the member's pass draws its codes with, in the browser: `PorteroQR.encode`
/// gives the rows of modules of a text (numeric mode for digits, byte mode otherwise, level M,
/// versions 1 to 10, as `QRCode`), `PorteroQR.svg` draws them with a four-module quiet zone.
extension WebAssets {
    package static let qrScript = #"""
        // A QR code encoder (ISO/IEC 18004): numeric mode for digits, byte mode otherwise, error
        // correction level M, versions 1 to 10, the mask with the lowest penalty. Port of QRCode.swift.
        var PorteroQR = (function () {
          "use strict";
          // Level M: error-correction codewords per block and each block's data codewords.
          var BLOCKS = [[10, [16]], [16, [28]], [26, [44]], [18, [32, 32]], [24, [43, 43]], [16, [27, 27, 27, 27]],
            [18, [31, 31, 31, 31]], [22, [38, 38, 39, 39]], [22, [36, 36, 36, 37, 37]], [26, [43, 43, 43, 43, 44]]];
          var ALIGNMENT = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46],
            [6, 28, 50]];

          function sum(list) { return list.reduce(function (a, b) { return a + b; }, 0); }

          function multiply(x, y) {
            var z = 0;
            for (var i = 7; i >= 0; i--) {
              z = (z << 1) ^ ((z >> 7) * 0x11d);
              z ^= ((y >> i) & 1) * x;
            }
            return z;
          }

          function divisor(degree) {
            var result = [];
            for (var i = 0; i < degree; i++) { result.push(0); }
            result[degree - 1] = 1;
            var root = 1;
            for (var k = 0; k < degree; k++) {
              for (var j = 0; j < degree; j++) {
                result[j] = multiply(result[j], root);
                if (j + 1 < degree) { result[j] ^= result[j + 1]; }
              }
              root = multiply(root, 2);
            }
            return result;
          }

          function remainder(data, div) {
            var result = div.map(function () { return 0; });
            data.forEach(function (byte) {
              var factor = byte ^ result.shift();
              result.push(0);
              for (var i = 0; i < result.length; i++) { result[i] ^= multiply(div[i], factor); }
            });
            return result;
          }

          // The segment's bits: mode, count, then the digits in groups of three (or the bytes).
          function segmentBits(text, version) {
            var bits = [];
            function append(value, count) { for (var i = count - 1; i >= 0; i--) { bits.push((value >> i) & 1); } }
            if (/^[0-9]*$/.test(text)) {
              append(1, 4);
              append(text.length, version < 10 ? 10 : 12);
              for (var i = 0; i < text.length; i += 3) {
                var group = text.substr(i, 3);
                append(parseInt(group, 10), [0, 4, 7, 10][group.length]);
              }
            } else {
              var bytes = Array.from(new TextEncoder().encode(text));
              append(4, 4);
              append(bytes.length, version < 10 ? 8 : 16);
              bytes.forEach(function (byte) { append(byte, 8); });
            }
            return bits;
          }

          function codewords(text, version) {
            var layout = BLOCKS[version - 1];
            var capacity = sum(layout[1]);
            var bits = segmentBits(text, version);
            for (var t = Math.min(4, capacity * 8 - bits.length); t > 0; t--) { bits.push(0); }
            while (bits.length % 8) { bits.push(0); }
            var data = [];
            for (var b = 0; b < bits.length; b += 8) {
              data.push(bits.slice(b, b + 8).reduce(function (acc, bit) { return (acc << 1) | bit; }, 0));
            }
            for (var pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) { data.push(pad); }
            var div = divisor(layout[0]);
            var offset = 0;
            var dataBlocks = layout[1].map(function (length) {
              var block = data.slice(offset, offset + length);
              offset += length;
              return block;
            });
            var ecBlocks = dataBlocks.map(function (block) { return remainder(block, div); });
            var result = [];
            var longest = Math.max.apply(null, layout[1]);
            for (var i = 0; i < longest; i++) {
              dataBlocks.forEach(function (block) { if (i < block.length) { result.push(block[i]); } });
            }
            for (var e = 0; e < layout[0]; e++) { ecBlocks.forEach(function (block) { result.push(block[e]); }); }
            return result;
          }

          function Symbol(version) {
            this.size = 17 + 4 * version;
            this.modules = [];
            this.fixed = [];
            for (var y = 0; y < this.size; y++) {
              this.modules.push(new Array(this.size).fill(false));
              this.fixed.push(new Array(this.size).fill(false));
            }
          }

          Symbol.prototype.set = function (x, y, dark) {
            this.modules[y][x] = dark;
            this.fixed[y][x] = true;
          };

          Symbol.prototype.drawFunctionPatterns = function (version) {
            var size = this.size;
            for (var i = 0; i < size; i++) {
              this.set(6, i, i % 2 === 0);
              this.set(i, 6, i % 2 === 0);
            }
            var self = this;
            [[3, 3], [size - 4, 3], [3, size - 4]].forEach(function (centre) {
              for (var dy = -4; dy <= 4; dy++) {
                for (var dx = -4; dx <= 4; dx++) {
                  var x = centre[0] + dx, y = centre[1] + dy;
                  if (x < 0 || y < 0 || x >= size || y >= size) { continue; }
                  var distance = Math.max(Math.abs(dx), Math.abs(dy));
                  self.set(x, y, distance !== 2 && distance !== 4);
                }
              }
            });
            var positions = ALIGNMENT[version - 1];
            var last = positions.length - 1;
            positions.forEach(function (x, i) {
              positions.forEach(function (y, j) {
                if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) { return; }
                for (var dy = -2; dy <= 2; dy++) {
                  for (var dx = -2; dx <= 2; dx++) {
                    self.set(x + dx, y + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
                  }
                }
              });
            });
            this.drawFormat(0); // reserves the format areas; drawn again with the chosen mask
            if (version >= 7) {
              var rem = version;
              for (var k = 0; k < 12; k++) { rem = (rem << 1) ^ ((rem >> 11) * 0x1f25); }
              var bits = (version << 12) | rem;
              for (var b = 0; b < 18; b++) {
                var dark = ((bits >> b) & 1) === 1;
                var a = size - 11 + (b % 3), c = Math.floor(b / 3);
                this.set(a, c, dark);
                this.set(c, a, dark);
              }
            }
          };

          Symbol.prototype.drawFormat = function (mask) {
            var size = this.size;
            var data = mask; // level M is 00
            var rem = data;
            for (var k = 0; k < 10; k++) { rem = (rem << 1) ^ ((rem >> 9) * 0x537); }
            var bits = ((data << 10) | rem) ^ 0x5412;
            function bit(i) { return ((bits >> i) & 1) === 1; }
            var i;
            for (i = 0; i <= 5; i++) { this.set(8, i, bit(i)); }
            this.set(8, 7, bit(6));
            this.set(8, 8, bit(7));
            this.set(7, 8, bit(8));
            for (i = 9; i < 15; i++) { this.set(14 - i, 8, bit(i)); }
            for (i = 0; i < 8; i++) { this.set(size - 1 - i, 8, bit(i)); }
            for (i = 8; i < 15; i++) { this.set(8, size - 15 + i, bit(i)); }
            this.set(8, size - 8, true);
          };

          Symbol.prototype.placeData = function (words) {
            var size = this.size, index = 0, total = words.length * 8;
            for (var right = size - 1; right >= 1; right -= 2) {
              if (right === 6) { right = 5; }
              var upward = ((right + 1) & 2) === 0;
              for (var vertical = 0; vertical < size; vertical++) {
                for (var j = 0; j < 2; j++) {
                  var x = right - j, y = upward ? size - 1 - vertical : vertical;
                  if (this.fixed[y][x] || index >= total) { continue; }
                  this.modules[y][x] = ((words[index >> 3] >> (7 - (index & 7))) & 1) === 1;
                  index++;
                }
              }
            }
          };

          var MASKS = [
            function (x, y) { return (x + y) % 2 === 0; },
            function (x, y) { return y % 2 === 0; },
            function (x) { return x % 3 === 0; },
            function (x, y) { return (x + y) % 3 === 0; },
            function (x, y) { return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0; },
            function (x, y) { return (x * y) % 2 + (x * y) % 3 === 0; },
            function (x, y) { return ((x * y) % 2 + (x * y) % 3) % 2 === 0; },
            function (x, y) { return (((x + y) % 2) + (x * y) % 3) % 2 === 0; },
          ];

          Symbol.prototype.applyMask = function (mask) {
            for (var y = 0; y < this.size; y++) {
              for (var x = 0; x < this.size; x++) {
                if (!this.fixed[y][x] && MASKS[mask](x, y)) { this.modules[y][x] = !this.modules[y][x]; }
              }
            }
          };

          // Runs of five or more, 2×2 blocks, finder-like rows and columns, and the dark share.
          Symbol.prototype.penalty = function () {
            var size = this.size, m = this.modules, total = 0, dark = 0;
            var finder = "1011101";
            for (var pass = 0; pass < 2; pass++) {
              for (var a = 0; a < size; a++) {
                var line = "";
                for (var b = 0; b < size; b++) { line += (pass === 0 ? m[a][b] : m[b][a]) ? "1" : "0"; }
                var runs = line.match(/0+|1+/g);
                runs.forEach(function (run) { if (run.length >= 5) { total += run.length - 2; } });
                for (var i = 0; i + 7 <= size; i++) {
                  if (line.substr(i, 7) !== finder) { continue; }
                  var before = i >= 4 && line.substr(i - 4, 4) === "0000";
                  var after = i + 11 <= size && line.substr(i + 7, 4) === "0000";
                  if (before || after) { total += 40; }
                }
              }
            }
            for (var y = 0; y < size; y++) {
              for (var x = 0; x < size; x++) {
                if (m[y][x]) { dark++; }
                if (y + 1 < size && x + 1 < size && m[y][x] === m[y][x + 1] && m[y][x] === m[y + 1][x] &&
                  m[y][x] === m[y + 1][x + 1]) { total += 3; }
              }
            }
            var percent = Math.floor((dark * 100) / (size * size));
            return total + Math.floor(Math.abs(percent - 50) / 5) * 10;
          };

          // The rows of modules (true for dark) of `text`'s QR code; throws when it does not fit.
          function encode(text) {
            var version = 0;
            for (var v = 1; v <= 10 && !version; v++) {
              if (segmentBits(text, v).length <= sum(BLOCKS[v - 1][1]) * 8) { version = v; }
            }
            if (!version) { throw new Error("too long for a version 10 QR code"); }
            var symbol = new Symbol(version);
            symbol.drawFunctionPatterns(version);
            symbol.placeData(codewords(text, version));
            var best = 0, lowest = Infinity;
            for (var mask = 0; mask < 8; mask++) {
              symbol.applyMask(mask);
              symbol.drawFormat(mask);
              var penalty = symbol.penalty();
              if (penalty < lowest) { best = mask; lowest = penalty; }
              symbol.applyMask(mask);
            }
            symbol.applyMask(best);
            symbol.drawFormat(best);
            return symbol.modules;
          }

          // An SVG element of the code with a four-module quiet zone, black on white.
          function svg(modules, label) {
            var ns = "http://www.w3.org/2000/svg", full = modules.length + 8, d = "";
            modules.forEach(function (row, y) {
              row.forEach(function (dark, x) { if (dark) { d += "M" + (x + 4) + "," + (y + 4) + "h1v1h-1z"; } });
            });
            var element = document.createElementNS(ns, "svg");
            element.setAttribute("viewBox", "0 0 " + full + " " + full);
            element.setAttribute("role", "img");
            element.setAttribute("aria-label", label);
            element.setAttribute("shape-rendering", "crispEdges");
            var background = document.createElementNS(ns, "rect");
            background.setAttribute("width", full);
            background.setAttribute("height", full);
            background.setAttribute("fill", "#fff");
            var path = document.createElementNS(ns, "path");
            path.setAttribute("fill", "#000");
            path.setAttribute("d", d);
            element.appendChild(background);
            element.appendChild(path);
            return element;
          }

          return { encode: encode, svg: svg };
        })();
        """#
}
